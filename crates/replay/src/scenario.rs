//! A recording as a scenario file (`replay --to-scenario`): a `given` with the people the
//! recording found, one `scim_request` step per exchange with `expect_status` and an
//! `expect_body` of the values that matter, ids carried by bindings (`${r3.id}`), every email
//! moved into the scenario's domains, and the token of the scenario's own service account.
//!
//! Values are written as JSON, which is YAML too: no quoting rule of YAML's can change them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::har::Recording;
use crate::people;
use crate::values::that_matter;

/// The scenario's domains, the recording's most named domain first: `acme.test` is the
/// library's organization, the others its further domains.
fn scenario_domain(i: usize) -> String {
    if i == 0 {
        "acme.test".into()
    } else {
        format!("acme-{}.test", i + 1)
    }
}

/// Every email of the recording moved into the scenario's domains, as written or URL-encoded.
struct Identities {
    domains: Vec<(String, String)>,
}

impl Identities {
    fn of(recording: &Recording) -> Identities {
        let domains = people::domains(recording)
            .into_iter()
            .enumerate()
            .map(|(i, d)| (d, scenario_domain(i)))
            .collect();
        Identities { domains }
    }

    fn text(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (from, to) in &self.domains {
            for at in ["@", "%40"] {
                out = replace_ignoring_case(&out, &format!("{at}{from}"), &format!("{at}{to}"));
            }
        }
        out
    }

    fn json(&self, value: &Value) -> Value {
        map_strings(value, &|s| self.text(s))
    }
}

fn replace_ignoring_case(text: &str, needle: &str, with: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let needle = needle.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    while let Some(i) = lower[from..].find(&needle) {
        let at = from + i;
        // A longer domain that merely starts with this one (`acme.test.example`) is another.
        let next = lower[at + needle.len()..].chars().next();
        if next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') {
            out.push_str(&text[from..at + needle.len()]);
        } else {
            out.push_str(&text[from..at]);
            out.push_str(with);
        }
        from = at + needle.len();
    }
    out.push_str(&text[from..]);
    out
}

fn map_strings(value: &Value, f: &dyn Fn(&str) -> String) -> Value {
    match value {
        Value::String(s) => Value::String(f(s)),
        Value::Array(a) => Value::Array(a.iter().map(|v| map_strings(v, f)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), map_strings(v, f)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Recorded ids and the binding that holds each in the scenario (`r3.id`,
/// `r1.Resources.0.id`), and which step's binding is used.
#[derive(Default)]
struct References {
    by_id: BTreeMap<String, (usize, String)>,
    used: std::collections::BTreeSet<usize>,
    /// Bindings of ids the recording redacted, latest last (`crate::ids` guesses the same way).
    unclaimed: Vec<(usize, String)>,
}

impl References {
    fn learn(&mut self, step: usize, answer: &Value) {
        let mut add = |id: Option<&str>, at: String| match id {
            Some(id) if crate::ids::redacted(id) => self.unclaimed.push((step, at)),
            Some(id) => {
                self.by_id.entry(id.to_owned()).or_insert((step, at));
            }
            None => {}
        };
        add(answer["id"].as_str(), format!("r{step}.id"));
        for (i, r) in answer["Resources"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            add(r["id"].as_str(), format!("r{step}.Resources.{i}.id"));
        }
    }

    fn reference(&mut self, id: &str) -> Option<String> {
        let (step, at) = self.by_id.get(id)?;
        self.used.insert(*step);
        Some(format!("${{{at}}}"))
    }

    fn path(&mut self, path: &str) -> String {
        let mut out = Vec::new();
        let mut after_collection = false;
        for seg in path.split('/') {
            if after_collection
                && !seg.is_empty()
                && !self.by_id.contains_key(seg)
                && let Some(claimed) = self.unclaimed.pop()
            {
                self.by_id.insert(seg.to_owned(), claimed);
            }
            after_collection = matches!(seg, "Users" | "Groups");
            out.push(self.reference(seg).unwrap_or_else(|| seg.to_owned()));
        }
        out.join("/")
    }

    fn query(&mut self, query: &str) -> String {
        let mut out = query.to_owned();
        let ids: Vec<String> = self
            .by_id
            .keys()
            .filter(|id| id.len() >= 4)
            .cloned()
            .collect();
        for id in ids {
            if out.contains(&id) {
                let reference = self.reference(&id).expect("a known id");
                out = out.replace(&id, &reference);
            }
        }
        out
    }

    fn json(&mut self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.reference(s).unwrap_or_else(|| s.clone())),
            Value::Array(a) => Value::Array(a.iter().map(|v| self.json(v)).collect()),
            Value::Object(m) => {
                Value::Object(m.iter().map(|(k, v)| (k.clone(), self.json(v))).collect())
            }
            other => other.clone(),
        }
    }
}

/// One step, before the bindings it needs are known.
struct Step {
    number: usize,
    fields: Vec<(&'static str, String)>,
}

/// The scenario, as YAML. `source` names the recording in the scenario's description.
pub fn to_scenario(recording: &Recording, source: &str) -> String {
    let identities = Identities::of(recording);
    let mut references = References::default();
    let mut steps = Vec::new();
    for (i, e) in recording.exchanges.iter().enumerate() {
        let number = i + 1;
        let mut fields = vec![
            ("method", json!(e.method).to_string()),
            (
                "path",
                json!(identities.text(&target(e, &mut references))).to_string(),
            ),
            ("token", json!("${sa.token}").to_string()),
        ];
        match &e.request {
            Some(Value::String(raw)) => {
                fields.push(("raw_body", json!(identities.text(raw)).to_string()))
            }
            Some(body) => {
                fields.push(("body", identities.json(&references.json(body)).to_string()))
            }
            None => {}
        }
        if let Some(status) = e.status {
            fields.push(("expect_status", status.to_string()));
        }
        let expected = that_matter(&e.response);
        if expected.as_object().is_some_and(|m| !m.is_empty()) {
            let expected = identities.json(&references.json(&expected));
            fields.push(("expect_body", expected.to_string()));
        }
        references.learn(number, &e.response);
        steps.push(Step { number, fields });
    }
    render(recording, source, &identities, &references, &steps)
}

/// The path with the query, ids as references.
fn target(e: &crate::har::Exchange, references: &mut References) -> String {
    let path = references.path(&e.path);
    match &e.query {
        Some(q) => format!("{path}?{}", references.query(q)),
        None => path,
    }
}

fn render(
    recording: &Recording,
    source: &str,
    identities: &Identities,
    references: &References,
    steps: &[Step],
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Written by `asana-harness replay --to-scenario` from {source}: its {} SCIM exchanges \
         with {}, emails moved to the scenario's domains, no token of the recording's.",
        steps.len(),
        recording.base_url
    );
    let _ = writeln!(out, "name: {}", json!(format!("replay of {source}")));
    let _ = writeln!(out, "tags: [replay]");
    let _ = writeln!(out, "given:\n  asana:");
    let domains: Vec<String> = if identities.domains.is_empty() {
        vec![scenario_domain(0)]
    } else {
        identities
            .domains
            .iter()
            .map(|(_, to)| to.clone())
            .collect()
    };
    let _ = writeln!(out, "    domains: {}", json!(domains));
    let found = people::found(recording);
    if !found.is_empty() {
        let _ = writeln!(out, "    users:");
        for p in &found {
            let mut user = json!({"email": identities.text(&p.user_name)});
            if let Some(name) = &p.formatted {
                user["name"] = json!(name);
            }
            if let Some(title) = &p.title {
                user["title"] = json!(title);
            }
            if let Some(department) = &p.department {
                user["department"] = json!(department);
            }
            if !p.active {
                user["deprovisioned"] = json!(true);
            }
            let _ = writeln!(out, "      - {user}");
        }
    }
    let _ = writeln!(out, "    service_accounts: [{{ as: sa, scope: scim }}]");
    let _ = writeln!(out, "steps:");
    for step in steps {
        let _ = writeln!(out, "  - scim_request:");
        for (key, value) in &step.fields {
            let _ = writeln!(out, "      {key}: {value}");
        }
        if references.used.contains(&step.number) {
            let _ = writeln!(out, "      as: r{}", step.number);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::har::Exchange;

    fn exchange(
        method: &str,
        path: &str,
        query: Option<&str>,
        request: Option<Value>,
        status: u16,
        response: Value,
    ) -> Exchange {
        Exchange {
            method: method.into(),
            path: path.into(),
            query: query.map(Into::into),
            request_type: None,
            request,
            status: Some(status),
            response,
        }
    }

    #[test]
    fn ids_become_bindings_and_emails_move_to_the_scenario_domain() {
        let recording = Recording {
            base_url: "https://app.asana.com/api/1.0/scim".into(),
            exchanges: vec![
                exchange(
                    "GET",
                    "/Users",
                    Some("filter=userName%20eq%20%22Grace%40Customer.com%22"),
                    None,
                    200,
                    json!({"totalResults": 1, "Resources": [{"id": "1201", "userName": "grace@customer.com", "active": true}]}),
                ),
                exchange(
                    "PATCH",
                    "/Users/1201",
                    None,
                    Some(json!({"Operations": [{"op": "replace", "value": {"active": false}}]})),
                    200,
                    json!({"id": "1201", "userName": "grace@customer.com", "active": false, "meta": {}}),
                ),
            ],
            skipped: 0,
        };
        let yaml = to_scenario(&recording, "ticket.har");
        assert!(yaml.contains(r#"- {"email":"grace@acme.test"}"#), "{yaml}");
        assert!(
            yaml.contains(r#"path: "/Users?filter=userName%20eq%20%22Grace%40acme.test%22""#),
            "{yaml}"
        );
        assert!(
            yaml.contains(r#"path: "/Users/${r1.Resources.0.id}""#),
            "{yaml}"
        );
        assert!(yaml.contains("      as: r1\n"), "{yaml}");
        assert!(!yaml.contains("as: r2"), "{yaml}");
        assert!(
            yaml.contains(r#"expect_body: {"active":false,"userName":"grace@acme.test"}"#),
            "{yaml}"
        );
        assert!(!yaml.contains("customer.com"), "{yaml}");
    }

    #[test]
    fn only_whole_domains_are_rewritten() {
        assert_eq!(
            replace_ignoring_case("a@x.test b@X.TEST c@x.test.org", "@x.test", "@acme.test"),
            "a@acme.test b@acme.test c@x.test.org"
        );
    }
}
