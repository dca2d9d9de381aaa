//! A user as SCIM returns it: a view of the stored attributes shaped by the dialect, borrowed
//! from the record. Serializing it copies nothing first: the `userName eq` lookup every IdP
//! makes writes the stored strings straight to the wire (a clone of the user was a quarter of
//! that request's allocations; see PERFORMANCE.md).
//!
//! Each stored type is taken apart with an exhaustive pattern, so a field added to `User`,
//! `Name` or `MultiValue` does not compile until the view writes it.

use harness_scim::User;
use std::sync::LazyLock;

use harness_scim::names::{ENTERPRISE_USER_URN, USER_URN, schemas_json};
use harness_scim::user::{MultiValue, Name};
use jiff::Timestamp;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::value::RawValue;

use crate::model::{Organization, UserRecord};
use crate::store::ScimDialect;

pub(super) struct UserResource<'a> {
    record: &'a UserRecord,
    /// `active` as answered: Asana always reports it; plain SCIM what is stored.
    active: Option<bool>,
    user_type: bool,
    /// Asana's shape: name parts filled from `formatted`, emails typed `work`.
    asana_shape: bool,
    /// Without `meta` (Asana's documented responses), both schemas whatever is stored.
    both_schemas: bool,
    meta: Option<UserMeta<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserMeta<'a> {
    resource_type: &'static str,
    created: Timestamp,
    last_modified: Timestamp,
    location: Location<'a>,
}

/// `{base}/Users/{gid}`, written without being formatted first.
struct Location<'a>(&'a str, &'a UserRecord);

impl Serialize for Location<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{}/Users/{}", self.0, self.1.gid))
    }
}

impl<'a> UserResource<'a> {
    pub(super) fn new(
        u: &'a UserRecord,
        org: &Organization,
        dialect: &ScimDialect,
        base: &'a str,
    ) -> Self {
        let asana_shape = dialect.asana_user_shape();
        // A deprovisioned user is inactive whatever the dialect.
        let active = if asana_shape || u.deprovisioned.is_some() {
            Some(u.is_active())
        } else {
            u.scim.active
        };
        UserResource {
            record: u,
            active,
            user_type: dialect.shows_user_type(org),
            asana_shape,
            both_schemas: !dialect.meta(),
            meta: dialect.meta().then_some(UserMeta {
                resource_type: "User",
                created: u.created_at,
                last_modified: u.updated_at,
                location: Location(base, u),
            }),
        }
    }
}

impl Serialize for UserResource<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let User {
            schemas: _,
            id: _,
            external_id,
            user_name,
            name,
            display_name,
            nick_name,
            profile_url,
            title,
            user_type,
            preferred_language,
            locale,
            timezone,
            active: _,
            emails,
            phone_numbers,
            addresses,
            enterprise,
        } = &self.record.scim;
        let mut map = s.serialize_map(None)?;
        static BOTH: LazyLock<Box<RawValue>> =
            LazyLock::new(|| schemas_json(&[USER_URN, ENTERPRISE_USER_URN]));
        static CORE: LazyLock<Box<RawValue>> = LazyLock::new(|| schemas_json(&[USER_URN]));
        // Asana's documented responses always list both schemas; plain SCIM the ones it has.
        if self.both_schemas || enterprise.is_some() {
            map.serialize_entry("schemas", &**BOTH)?;
        } else {
            map.serialize_entry("schemas", &**CORE)?;
        }
        map.serialize_entry("id", &Id(self.record))?;
        optional(&mut map, "externalId", external_id)?;
        map.serialize_entry("userName", user_name)?;
        if let Some(name) = name {
            map.serialize_entry("name", &NameView::of(name, self.asana_shape))?;
        }
        optional(&mut map, "displayName", display_name)?;
        optional(&mut map, "nickName", nick_name)?;
        optional(&mut map, "profileUrl", profile_url)?;
        optional(&mut map, "title", title)?;
        if self.user_type {
            optional(&mut map, "userType", user_type)?;
        }
        optional(&mut map, "preferredLanguage", preferred_language)?;
        optional(&mut map, "locale", locale)?;
        optional(&mut map, "timezone", timezone)?;
        if let Some(active) = self.active {
            map.serialize_entry("active", &active)?;
        }
        if !emails.is_empty() {
            let typed = emails.iter().map(|e| Email(e, self.asana_shape));
            map.serialize_entry("emails", &Seq(typed))?;
        }
        if !phone_numbers.is_empty() {
            map.serialize_entry("phoneNumbers", phone_numbers)?;
        }
        if !addresses.is_empty() {
            map.serialize_entry("addresses", addresses)?;
        }
        if let Some(enterprise) = enterprise {
            map.serialize_entry(ENTERPRISE_USER_URN, enterprise)?;
        }
        if let Some(meta) = &self.meta {
            map.serialize_entry("meta", meta)?;
        }
        map.end()
    }
}

fn optional<M: SerializeMap>(
    map: &mut M,
    key: &str,
    value: &Option<Box<str>>,
) -> Result<(), M::Error> {
    match value {
        Some(v) => map.serialize_entry(key, v),
        None => Ok(()),
    }
}

/// The record's id: its gid, as text (written without `fmt`).
struct Id<'a>(&'a UserRecord);

impl Serialize for Id<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(itoa::Buffer::new().format(self.0.gid.0))
    }
}

/// The stored name; in Asana's shape, given and family names split from `formatted` when the
/// client sent neither.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NameView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    formatted: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    family_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    given_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    middle_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    honorific_prefix: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    honorific_suffix: Option<&'a str>,
}

impl<'a> NameView<'a> {
    fn of(name: &'a Name, asana_shape: bool) -> Self {
        let Name {
            formatted,
            family_name,
            given_name,
            middle_name,
            honorific_prefix,
            honorific_suffix,
        } = name;
        let (mut given_name, mut family_name) = (given_name.as_deref(), family_name.as_deref());
        if asana_shape
            && given_name.is_none()
            && family_name.is_none()
            && let Some((given, family)) =
                formatted.as_deref().and_then(|f| f.trim().split_once(' '))
        {
            given_name = Some(given);
            family_name = Some(family.trim());
        }
        NameView {
            formatted: formatted.as_deref(),
            family_name,
            given_name,
            middle_name: middle_name.as_deref(),
            honorific_prefix: honorific_prefix.as_deref(),
            honorific_suffix: honorific_suffix.as_deref(),
        }
    }
}

/// An email as stored; in Asana's shape typed `work` when the client gave no type.
struct Email<'a>(&'a MultiValue, bool);

impl Serialize for Email<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let MultiValue {
            value,
            display,
            kind,
            primary,
        } = self.0;
        let kind = kind.as_deref().or(self.1.then_some("work"));
        let mut map = s.serialize_map(None)?;
        optional(&mut map, "value", value)?;
        optional(&mut map, "display", display)?;
        if let Some(kind) = kind {
            map.serialize_entry("type", kind)?;
        }
        if let Some(primary) = primary {
            map.serialize_entry("primary", primary)?;
        }
        map.end()
    }
}

/// A sequence serialized from an iterator without collecting it.
struct Seq<I>(I);

impl<I> Serialize for Seq<I>
where
    I: Iterator + Clone,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Profile};
    use crate::model::{Deprovision, DeprovisionVia, Gid};
    use serde_json::json;

    /// The rendering as it was written before the view: a clone of the stored user, edited,
    /// serialized with `meta` beside it. The view must write the same bytes.
    fn by_clone(u: &UserRecord, org: &Organization, dialect: &ScimDialect, base: &str) -> String {
        #[derive(Serialize)]
        struct Cloned {
            #[serde(flatten)]
            scim: User,
            #[serde(skip_serializing_if = "Option::is_none")]
            meta: Option<ClonedMeta>,
        }
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct ClonedMeta {
            resource_type: &'static str,
            created: Timestamp,
            last_modified: Timestamp,
            location: String,
        }
        let mut scim = u.scim.clone();
        scim.id = Some(u.gid.to_string().into());
        scim.active = if dialect.asana_user_shape() || u.deprovisioned.is_some() {
            Some(u.is_active())
        } else {
            u.scim.active
        };
        if !dialect.shows_user_type(org) {
            scim.user_type = None;
        }
        if dialect.asana_user_shape() {
            if let Some(name) = &mut scim.name
                && name.given_name.is_none()
                && name.family_name.is_none()
                && let Some((given, family)) = name
                    .formatted
                    .as_deref()
                    .and_then(|f| f.trim().split_once(' '))
            {
                name.given_name = Some(given.into());
                name.family_name = Some(family.trim().into());
            }
            for email in &mut scim.emails {
                email.kind.get_or_insert_with(|| "work".into());
            }
        }
        scim.schemas = if !dialect.meta() {
            vec![USER_URN.to_owned(), ENTERPRISE_USER_URN.to_owned()]
        } else {
            scim.response_schemas()
        };
        let meta = dialect.meta().then(|| ClonedMeta {
            resource_type: "User",
            created: u.created_at,
            last_modified: u.updated_at,
            location: format!("{base}/Users/{}", u.gid),
        });
        serde_json::to_string(&Cloned { scim, meta }).unwrap()
    }

    fn users() -> Vec<UserRecord> {
        let full: User = serde_json::from_value(json!({
            "schemas": [USER_URN, ENTERPRISE_USER_URN],
            "externalId": "x-1", "userName": "ada@acme.test",
            "name": {"formatted": " Ada  Lovelace ", "middleName": "B", "honorificPrefix": "Dr",
                     "honorificSuffix": "PhD"},
            "displayName": "Ada \"the first\"", "nickName": "A", "profileUrl": "https://a/\u{e9}",
            "title": "Countess", "userType": "Employee", "preferredLanguage": "en",
            "locale": "en-GB", "timezone": "Europe/London", "active": false,
            "emails": [{"value": "ada@acme.test", "primary": true},
                       {"value": "a@acme.test", "type": "home", "display": "A"}],
            "phoneNumbers": [{"value": "+44", "type": "work"}],
            "addresses": [{"locality": "London", "primary": true}],
            ENTERPRISE_USER_URN: {"department": "Maths", "employeeNumber": "7"}
        }))
        .unwrap();
        let named: User = serde_json::from_value(json!({
            "userName": "bob@acme.test", "name": {"givenName": "Bob", "formatted": "Bob B"},
        }))
        .unwrap();
        let bare: User = serde_json::from_value(json!({"userName": "c@acme.test"})).unwrap();
        let at = harness_clock::DEFAULT_EPOCH;
        let mut gone = UserRecord::new(Gid(4), full.clone(), false, at);
        gone.deprovisioned = Some(Box::new(Deprovision {
            at,
            via: DeprovisionVia::ScimDelete,
            actor: "service_account:1".into(),
            tasks_project: "Ada's tasks".into(),
        }));
        vec![
            UserRecord::new(Gid(1_200_000_000_000_001), full, false, at),
            UserRecord::new(Gid(2), named, false, at),
            UserRecord::new(Gid(3), bare, true, at),
            gone,
        ]
    }

    #[test]
    fn the_view_writes_what_a_clone_of_the_user_wrote_in_every_dialect() {
        // The switches that shape a user, by the names the admin API takes.
        let shaping = [
            "omit_meta",
            "response_fills_name_parts",
            "user_type_only_in_view_only_domains",
        ];
        for profile in [Profile::Asana, Profile::Rfc] {
            for bits in 0..(1 << shaping.len()) {
                let mut cfg = Config::new(profile);
                for (i, name) in shaping.iter().enumerate() {
                    let on = bits & (1 << i) != 0;
                    cfg.update(&json!({"switches": {*name: on}})).unwrap();
                }
                let dialect = ScimDialect::of(&cfg);
                for view_only in [false, true] {
                    let org: Organization = serde_json::from_value(json!({
                        "gid": "1", "name": "Acme", "domains": ["acme.test"],
                        "view_only_licenses": view_only,
                    }))
                    .unwrap();
                    for u in users() {
                        let base = "http://localhost:7480/api/1.0/scim";
                        let view = UserResource::new(&u, &org, &dialect, base);
                        assert_eq!(
                            serde_json::to_string(&view).unwrap(),
                            by_clone(&u, &org, &dialect, base),
                            "{profile:?} {bits:b} view_only={view_only} {}",
                            u.scim.user_name
                        );
                    }
                }
            }
        }
    }
}
