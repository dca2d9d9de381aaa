//! Property tests for the SCIM crate, with the `scim_v2` crate's independent parser as an oracle.

use harness_scim::filter::{AttrPath, CompValue, CompareOp, Filter};
use harness_scim::patch::{PatchOptions, PatchRequest};
use harness_scim::{ScimType, User};
use proptest::prelude::*;
use serde_json::{Value, json};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn attr_path() -> impl Strategy<Value = AttrPath> {
    prop_oneof![
        Just(AttrPath::new("userName")),
        Just(AttrPath::new("title")),
        Just(AttrPath::new("active")),
        Just(AttrPath::new("emails")),
        Just(AttrPath::with_sub("name", "familyName")),
        Just(AttrPath::with_sub("meta", "lastModified")),
        Just(AttrPath {
            schema: Some(ENTERPRISE.to_owned()),
            ..AttrPath::new("department")
        }),
        Just(AttrPath {
            schema: Some(ENTERPRISE.to_owned()),
            ..AttrPath::with_sub("manager", "value")
        }),
    ]
}

fn comp_value() -> impl Strategy<Value = CompValue> {
    prop_oneof![
        Just(CompValue::Null),
        any::<bool>().prop_map(CompValue::Bool),
        any::<i32>().prop_map(|n| CompValue::Number(n.into())),
        "[ -~]{0,12}".prop_map(CompValue::String),
    ]
}

fn compare_op() -> impl Strategy<Value = CompareOp> {
    use CompareOp::*;
    prop::sample::select(vec![Eq, Ne, Co, Sw, Ew, Gt, Ge, Lt, Le])
}

fn attr_exp(path: impl Strategy<Value = AttrPath>) -> impl Strategy<Value = Filter> {
    (path, prop::option::of((compare_op(), comp_value()))).prop_map(|(path, cmp)| match cmp {
        Some((op, value)) => Filter::Compare { path, op, value },
        None => Filter::Present { path },
    })
}

fn logic(leaf: BoxedStrategy<Filter>) -> impl Strategy<Value = Filter> {
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Filter::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Filter::Or(Box::new(a), Box::new(b))),
            inner.prop_map(|f| Filter::Not(Box::new(f))),
        ]
    })
}

fn filter() -> impl Strategy<Value = Filter> {
    let inner_path = prop::sample::select(vec!["type", "value", "primary"]).prop_map(AttrPath::new);
    let value_path = (
        prop::sample::select(vec!["emails", "addresses", "members"]),
        logic(attr_exp(inner_path).boxed()),
    )
        .prop_map(|(attr, f)| Filter::ValuePath {
            path: AttrPath::new(attr),
            filter: Box::new(f),
        });
    logic(prop_oneof![3 => attr_exp(attr_path()), 1 => value_path].boxed())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Rendering a filter and parsing it back gives the same filter, and the independent
    /// `scim_v2` parser accepts every filter we render: our grammar is the RFC's, not our own.
    #[test]
    fn rendered_filters_round_trip_and_the_oracle_agrees(f in filter()) {
        let text = f.to_string();
        let parsed = Filter::parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(&parsed, &f, "{}", text);
        prop_assert!(text.parse::<scim_v2::filter::Filter>().is_ok(), "scim_v2 rejects {}", text);
    }

    /// Whatever the oracle accepts, we accept too (mutations of valid filters probe the edges).
    #[test]
    fn we_accept_what_the_oracle_accepts(f in filter(), cut in 0usize..80, junk in "[ ()\\[\\]\"a-z]{0,3}") {
        let text = f.to_string();
        let cut = cut.min(text.len());
        let cut = (0..=cut).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        let mutated = format!("{}{}{}", &text[..cut], junk, &text[cut..]);
        if mutated.parse::<scim_v2::filter::Filter>().is_ok() {
            prop_assert!(Filter::parse(&mutated).is_ok(), "oracle accepts {:?}, we reject it", mutated);
        }
    }

    /// No input makes the parser panic; every rejection is an invalidFilter with a position inside
    /// the text.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,64}") {
        if let Err(e) = Filter::parse(&text) {
            prop_assert!(e.position <= text.chars().count());
            let scim: harness_scim::ScimError = e.into();
            prop_assert_eq!(scim.scim_type, Some(ScimType::InvalidFilter));
        }
    }

    /// Evaluation is total, and `not` is exact negation.
    #[test]
    fn evaluation_is_total_and_not_negates(f in filter()) {
        let user = json!({
            "userName": "Ada@acme.test", "title": "Engineer", "active": true,
            "emails": [{"value": "ada@acme.test", "type": "work", "primary": true}],
            "name": {"familyName": "Lovelace"},
            ENTERPRISE: {"department": "R&D", "manager": {"value": "7"}}
        });
        let negated = Filter::Not(Box::new(f.clone()));
        prop_assert_eq!(negated.matches(&user), !f.matches(&user));
    }

    /// PATCH never panics on generated operations, and a successful PATCH yields either a valid
    /// User or a clear invalidValue.
    #[test]
    fn patch_is_total(ops in prop::collection::vec(operation(), 1..5)) {
        let base = json!({"userName": "ada@acme.test", "emails": [{"value": "ada@acme.test", "type": "work"}]});
        if let Ok(request) = PatchRequest::from_json(json!({"Operations": ops})) {
            let mut resource = base.clone();
            match request.apply(&mut resource, PatchOptions::default()) {
                Ok(()) => {
                    if let Err(e) = User::from_json(resource) {
                        prop_assert_eq!(e.status, 400);
                    }
                }
                Err(e) => {
                    prop_assert_eq!(e.status, 400);
                    prop_assert_eq!(resource, base, "a failed PATCH must change nothing");
                }
            }
        }
    }
}

fn operation() -> impl Strategy<Value = Value> {
    let op = prop::sample::select(vec!["add", "Replace", "REMOVE", "move"]);
    let path = prop::option::of(prop::sample::select(vec![
        "title",
        "active",
        "name.givenName",
        "emails[type eq \"work\"].value",
        "emails[type eq \"home\"]",
        "members[value eq \"1\"]",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
        "id",
        "emails[",
        "",
    ]));
    let value = prop_oneof![
        Just(json!("x")),
        Just(json!("False")),
        Just(json!(true)),
        Just(json!(5)),
        Just(json!(null)),
        Just(json!([{"value": "1"}])),
        Just(json!({"active": false, "title": "t", "name.familyName": "L"})),
        Just(json!({"value": "v", "type": "work"})),
    ];
    (op, path, prop::option::of(value)).prop_map(|(op, path, value)| {
        let mut o = json!({"op": op});
        if let Some(p) = path {
            o["path"] = json!(p);
        }
        if let Some(v) = value {
            o["value"] = v;
        }
        o
    })
}
