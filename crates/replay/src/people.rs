//! The people a recording found before it made them, and the domains its people are on: what a
//! fresh fake Asana (or a scenario's `given`) needs so that the recording's lookups find the
//! same people.
//!
//! A person was there before the recording when an answer lists or reads them (a `GET` that
//! found them) under an id no earlier answer of the recording created. Their state is the one
//! that first answer showed.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::har::Recording;

/// One person to seed, as the answer that found them showed them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub user_name: String,
    pub formatted: Option<String>,
    pub title: Option<String>,
    /// The enterprise extension's department: Asana answers it, so a seeded person without it
    /// would answer a lookup with a different shape than the recorded one.
    pub department: Option<String>,
    pub active: bool,
}

/// The SCIM enterprise extension's key in a user (RFC 7643 §4.3).
const ENTERPRISE_USER: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// The people the recording found before it created them, in the order it met them.
pub fn found(recording: &Recording) -> Vec<Person> {
    let mut created: BTreeSet<String> = BTreeSet::new();
    let mut out: Vec<Person> = Vec::new();
    for e in &recording.exchanges {
        if e.method == "POST" {
            // By userName too: a recording may have its ids redacted (`[id]`).
            let made = [e.response["id"].as_str(), e.response["userName"].as_str()];
            created.extend(made.into_iter().flatten().map(str::to_lowercase));
            continue;
        }
        if e.method != "GET" || e.status != Some(200) || !e.path.starts_with("/Users") {
            continue;
        }
        let listed = e.response["Resources"].as_array();
        let users: Vec<&Value> = match listed {
            Some(items) => items.iter().collect(),
            None => vec![&e.response],
        };
        for u in users {
            let (Some(id), Some(user_name)) = (u["id"].as_str(), u["userName"].as_str()) else {
                continue;
            };
            let known = out
                .iter()
                .any(|p| p.user_name.eq_ignore_ascii_case(user_name));
            let made = created.contains(&id.to_lowercase()) && !crate::ids::redacted(id)
                || created.contains(&user_name.to_lowercase());
            if made || known {
                continue;
            }
            out.push(Person {
                user_name: user_name.to_owned(),
                formatted: u["name"]["formatted"].as_str().map(str::to_owned),
                title: u["title"].as_str().map(str::to_owned),
                department: u[ENTERPRISE_USER]["department"].as_str().map(str::to_owned),
                active: u["active"].as_bool().unwrap_or(true),
            });
        }
    }
    out
}

/// The email domains of every person the recording names (found, created or looked up), the
/// most named first. A SCIM answer does not say which domains are the organization's: replay
/// takes them all as the organization's (a guest of the recording replays as a member).
pub fn domains(recording: &Recording) -> Vec<String> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut count = |email: &str| {
        let Some((_, domain)) = email.rsplit_once('@') else {
            return;
        };
        let domain = domain.to_ascii_lowercase();
        match counts.iter_mut().find(|(d, _)| *d == domain) {
            Some((_, n)) => *n += 1,
            None => counts.push((domain, 1)),
        }
    };
    for e in &recording.exchanges {
        for body in [e.request.as_ref(), Some(&e.response)]
            .into_iter()
            .flatten()
        {
            if let Some(u) = body["userName"].as_str() {
                count(u);
            }
            for r in body["Resources"].as_array().into_iter().flatten() {
                if let Some(u) = r["userName"].as_str() {
                    count(u);
                }
            }
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts.into_iter().map(|(d, _)| d).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::har::Exchange;
    use serde_json::json;

    fn exchange(method: &str, path: &str, status: u16, response: Value) -> Exchange {
        Exchange {
            method: method.into(),
            path: path.into(),
            query: None,
            request_type: None,
            request: None,
            status: Some(status),
            response,
        }
    }

    #[test]
    fn people_found_before_they_were_created_are_seeded() {
        let recording = Recording {
            base_url: "http://h/scim".into(),
            exchanges: vec![
                exchange(
                    "GET",
                    "/Users",
                    200,
                    json!({"Resources": [{"id": "1", "userName": "grace@acme.test", "active": false, "name": {"formatted": "Grace Hopper"},
                            ENTERPRISE_USER: {"department": "Engineering"}}]}),
                ),
                exchange(
                    "POST",
                    "/Users",
                    201,
                    json!({"id": "2", "userName": "ada@acme.test"}),
                ),
                exchange(
                    "GET",
                    "/Users/2",
                    200,
                    json!({"id": "2", "userName": "ada@acme.test"}),
                ),
                exchange(
                    "GET",
                    "/Users/1",
                    200,
                    json!({"id": "1", "userName": "grace@acme.test"}),
                ),
            ],
            skipped: 0,
        };
        assert_eq!(
            found(&recording),
            [Person {
                user_name: "grace@acme.test".into(),
                formatted: Some("Grace Hopper".into()),
                title: None,
                department: Some("Engineering".into()),
                active: false,
            }]
        );
        assert_eq!(domains(&recording), ["acme.test"]);
    }
}
