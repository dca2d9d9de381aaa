//! `--pseudonymize`: people replaced consistently, so a customer's capture can be shared. Each
//! person gets a number in the order they first appear in the capture; their emails become
//! `person-N@example.invalid`, a non-email user name `person-N`, names `GivenN`, `FamilyN` and
//! `GivenN FamilyN`. One object's email, user name and names are one person, and a resource
//! id seen with a person links later requests to `/Users/{id}` to them. Anything equal to a
//! learned value is replaced wherever it appears: JSON strings, path segments, query values,
//! the quoted literals of SCIM filters, header values. Emails are found in any text. Ids and
//! statuses are left as they are.
//!
//! Each exchange is learned from before it is rewritten: what a capture mentions is known by
//! the time it is written.

mod text;

use std::collections::{HashMap, HashSet};

use serde_json::Value;

/// Which part of a person a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Login,
    Given,
    Family,
    Middle,
    Full,
    Nick,
}

/// The kind of value a key (or a PATCH path's last attribute) holds, if a person's.
fn kind(key: &str) -> Option<Kind> {
    let key = key.to_ascii_lowercase();
    Some(match key.as_str() {
        "username" | "user_name" | "login" => Kind::Login,
        "givenname" | "firstname" | "first_name" => Kind::Given,
        "familyname" | "lastname" | "last_name" => Kind::Family,
        "middlename" => Kind::Middle,
        "formatted" | "displayname" | "display" | "name" => Kind::Full,
        "nickname" => Kind::Nick,
        _ => return None,
    })
}

/// Keys whose values are never a person's: ids and SCIM's vocabulary.
const UNTOUCHED: [&str; 5] = ["id", "gid", "schemas", "resourceType", "$ref"];

/// The last attribute of a PATCH path: `name.givenName` → `givenName`,
/// `emails[type eq "work"].value` → `value`, `urn:...:User:userName` → `userName`.
fn last_attribute(path: &str) -> &str {
    let without_filter = match (path.find('['), path.rfind(']')) {
        (Some(open), Some(close)) => {
            let after = &path[close + 1..];
            if after.is_empty() {
                &path[..open]
            } else {
                after
            }
        }
        _ => path,
    };
    without_filter
        .rsplit(['.', ':'])
        .next()
        .unwrap_or(without_filter)
}

/// What has been learned of the people in a capture, and their pseudonyms.
#[derive(Debug, Default)]
pub struct Pseudonyms {
    people: usize,
    /// A lowercase email, user name or name → its person's number.
    identities: HashMap<String, usize>,
    /// A resource id → the person it is.
    ids: HashMap<String, usize>,
    /// A lowercase email → its pseudonym.
    emails: HashMap<String, String>,
    /// A name or user name, as written → its pseudonym.
    names: HashMap<String, String>,
    used: HashSet<String>,
}

impl Pseudonyms {
    /// Learns the people of one exchange: its URL, then its bodies in order.
    pub fn learn(&mut self, url: &str, bodies: &[&str]) {
        self.learn_url(url);
        let person = self.person_of_url(url);
        for body in bodies {
            match serde_json::from_str::<Value>(body) {
                Ok(v) => self.walk("", &v, person),
                Err(_) => self.scan(body),
            }
        }
    }

    fn learn_url(&mut self, url: &str) {
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        for segment in path.split('/') {
            if let Some(decoded) = text::decode(segment, false) {
                self.scan(&decoded);
            }
        }
        for pair in query.split('&') {
            let value = pair.split_once('=').map_or("", |(_, v)| v);
            let Some(value) = text::decode(value, true) else {
                continue;
            };
            self.scan(&value);
            for (attribute, range) in text::filter_literals(&value) {
                if let Some(kind) = kind(last_attribute(&attribute)) {
                    self.name(kind, &value[range], None);
                }
            }
        }
    }

    /// The person a URL addresses (`/Users/{id}` with an id seen before), if known.
    fn person_of_url(&self, url: &str) -> Option<usize> {
        let path = url.split('?').next().unwrap_or(url);
        path.split('/').rev().find_map(|s| self.ids.get(s).copied())
    }

    /// Learns every email in a text, each its own person unless known.
    fn scan(&mut self, text: &str) {
        for range in text::emails(text) {
            self.email(&text[range], None);
        }
    }

    fn walk(&mut self, key: &str, value: &Value, person: Option<usize>) {
        match value {
            Value::String(s) => {
                let whole = text::emails(s).first() == Some(&(0..s.len()));
                if whole && person.is_some() {
                    self.email(s, person);
                } else {
                    self.scan(s);
                }
                if let Some(kind) = kind(key) {
                    self.name(kind, s, person);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| self.walk(key, v, person)),
            Value::Object(map) => self.walk_object(map, person),
            _ => {}
        }
    }

    fn walk_object(&mut self, map: &serde_json::Map<String, Value>, person: Option<usize>) {
        let identity = ["userName", "email", "login"]
            .iter()
            .find_map(|k| map.get(*k).and_then(Value::as_str))
            .or_else(|| map.get("emails")?.get(0)?.get("value")?.as_str());
        let person = identity.map(|i| self.person(i)).or(person);
        if let (Some(p), Some(id)) = (person, map.get("id")) {
            let id = id.as_str().map_or_else(|| id.to_string(), str::to_owned);
            self.ids.entry(id).or_insert(p);
        }
        if let (Some(_), Some(value)) = (map.get("op"), map.get("value")) {
            let path = map.get("path").and_then(Value::as_str).unwrap_or("");
            return self.walk(last_attribute(path), value, person);
        }
        // A group's display name is a team's, not a person's; its members' are people's.
        let group = map.contains_key("members")
            || map
                .get("schemas")
                .is_some_and(|s| s.to_string().contains(":Group"));
        for (k, v) in map {
            if group && k == "displayName" {
                self.scan(v.as_str().unwrap_or(""));
                continue;
            }
            let inner = if k == "members" || k == "manager" {
                None
            } else {
                person
            };
            self.walk(k, v, inner);
        }
    }

    /// The person an identity (an email, a user name, a lone name) is, numbered on first sight.
    fn person(&mut self, identity: &str) -> usize {
        let key = identity.to_lowercase();
        if let Some(&p) = self.identities.get(&key) {
            return p;
        }
        self.people += 1;
        self.identities.insert(key, self.people);
        self.people
    }

    fn email(&mut self, email: &str, person: Option<usize>) {
        let key = email.to_lowercase();
        if self.emails.contains_key(&key) {
            return;
        }
        let p = person.unwrap_or_else(|| self.person(email));
        self.identities.entry(key.clone()).or_insert(p);
        let pseudonym = self.unique(|n| match n {
            1 => format!("person-{p}@example.invalid"),
            n => format!("person-{p}-{n}@example.invalid"),
        });
        self.emails.insert(key, pseudonym);
    }

    fn name(&mut self, kind: Kind, value: &str, person: Option<usize>) {
        if value.trim().is_empty() || self.names.contains_key(value) {
            return;
        }
        if text::emails(value).first() == Some(&(0..value.len())) {
            return self.email(value, person);
        }
        let p = person.unwrap_or_else(|| self.person(value));
        let base = match kind {
            Kind::Login => format!("person-{p}"),
            Kind::Given => format!("Given{p}"),
            Kind::Family => format!("Family{p}"),
            Kind::Middle => format!("Middle{p}"),
            Kind::Full => format!("Given{p} Family{p}"),
            Kind::Nick => format!("Nick{p}"),
        };
        let pseudonym = self.unique(|n| match n {
            1 => base.clone(),
            n => format!("{base}-{n}"),
        });
        self.names.insert(value.to_owned(), pseudonym);
    }

    /// The first of `candidate(1)`, `candidate(2)`, ... not given to another value.
    fn unique(&mut self, candidate: impl Fn(usize) -> String) -> String {
        let mut n = 1;
        while self.used.contains(&candidate(n)) {
            n += 1;
        }
        let chosen = candidate(n);
        self.used.insert(chosen.clone());
        chosen
    }

    /// A string with every learned value replaced: the whole of it, a filter's literals, and
    /// the emails in it.
    pub fn text(&self, s: &str) -> String {
        if let Some(exact) = self.exact(s) {
            return exact.to_owned();
        }
        let mut out = String::with_capacity(s.len());
        let mut copied = 0;
        for (_, range) in text::filter_literals(s) {
            if let Some(exact) = self.exact(&s[range.clone()]) {
                out.push_str(&s[copied..range.start]);
                out.push_str(exact);
                copied = range.end;
            }
        }
        out.push_str(&s[copied..]);
        let literals_done = out;
        let mut out = String::with_capacity(literals_done.len());
        let mut copied = 0;
        for range in text::emails(&literals_done) {
            if let Some(p) = self
                .emails
                .get(&literals_done[range.clone()].to_lowercase())
            {
                out.push_str(&literals_done[copied..range.start]);
                out.push_str(p);
                copied = range.end;
            }
        }
        out.push_str(&literals_done[copied..]);
        out
    }

    fn exact(&self, s: &str) -> Option<&str> {
        self.emails
            .get(&s.to_lowercase())
            .or_else(|| self.names.get(s))
            .map(String::as_str)
    }

    /// A URL with its path segments and query values rewritten, each re-encoded if changed.
    pub fn url(&self, url: &str) -> String {
        let (path, query) = match url.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (url, None),
        };
        let rewrite = |raw: &str, form: bool| match text::decode(raw, form) {
            Some(decoded) => {
                let new = self.text(&decoded);
                if new == decoded {
                    raw.to_owned()
                } else {
                    text::encode(&new)
                }
            }
            None => raw.to_owned(),
        };
        // The scheme and authority (`https://host`) are segments too; no person is in them.
        let path: Vec<String> = path.split('/').map(|s| rewrite(s, false)).collect();
        let mut out = path.join("/");
        if let Some(query) = query {
            let pairs: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((name, value)) => format!("{name}={}", rewrite(value, true)),
                    None => pair.to_owned(),
                })
                .collect();
            out.push('?');
            out.push_str(&pairs.join("&"));
        }
        out
    }

    /// A body rewritten: JSON string by string (re-serialized only if something changed),
    /// any other text as text.
    pub fn body(&self, body: &str) -> String {
        let Ok(parsed) = serde_json::from_str::<Value>(body) else {
            return self.text(body);
        };
        let mut rewritten = parsed.clone();
        self.rewrite("", &mut rewritten);
        if rewritten == parsed {
            body.to_owned()
        } else {
            rewritten.to_string()
        }
    }

    fn rewrite(&self, key: &str, value: &mut Value) {
        match value {
            Value::String(s) if !UNTOUCHED.contains(&key) => {
                let new = self.text(s);
                if new != *s {
                    *s = new;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.rewrite(key, v)),
            Value::Object(map) => map.iter_mut().for_each(|(k, v)| self.rewrite(k, v)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn learned(exchanges: &[(&str, &[&str])]) -> Pseudonyms {
        let mut p = Pseudonyms::default();
        for (url, bodies) in exchanges {
            p.learn(url, bodies);
        }
        p
    }

    const ADA: &str = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"1200000000000201","userName":"ada@acme.test","name":{"givenName":"Ada","familyName":"Lovelace","formatted":"Ada Lovelace"},"emails":[{"value":"ada@acme.test","primary":true}],"active":true}"#;

    #[test]
    fn one_person_keeps_one_pseudonym_across_urls_filters_and_bodies() {
        let lookup = "https://x/scim/Users?filter=userName+eq+%22Ada%40acme.test%22";
        let p = learned(&[
            (lookup, &[]),
            ("https://x/scim/Users", &[ADA, ADA]),
            (
                "https://x/scim/Users?filter=userName+eq+%22grace%40acme.test%22",
                &[],
            ),
        ]);
        assert_eq!(
            p.url(lookup),
            "https://x/scim/Users?filter=userName%20eq%20%22person-1%40example.invalid%22"
        );
        let body: Value = serde_json::from_str(&p.body(ADA)).unwrap();
        assert_eq!(body["userName"], "person-1@example.invalid");
        assert_eq!(body["emails"][0]["value"], "person-1@example.invalid");
        assert_eq!(body["name"]["givenName"], "Given1");
        assert_eq!(body["name"]["familyName"], "Family1");
        assert_eq!(body["name"]["formatted"], "Given1 Family1");
        // Ids, statuses and SCIM's vocabulary are untouched.
        assert_eq!(body["id"], "1200000000000201");
        assert_eq!(body["active"], true);
        assert_eq!(
            body["schemas"][0],
            "urn:ietf:params:scim:schemas:core:2.0:User"
        );
        assert_eq!(p.text("grace@acme.test"), "person-2@example.invalid");
    }

    #[test]
    fn a_patch_to_a_known_id_names_the_same_person() {
        let patch = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"name.givenName","value":"Augusta"},{"op":"replace","value":{"displayName":"Augusta King"}}]}"#;
        let p = learned(&[
            ("https://x/Users", &[r#"{"userName":"bob@acme.test"}"#]),
            ("https://x/Users", &[ADA]),
            ("https://x/Users/1200000000000201", &[patch]),
        ]);
        let out: Value = serde_json::from_str(&p.body(patch)).unwrap();
        assert_eq!(
            out["Operations"][0]["value"], "Given2-2",
            "Ada's second given name"
        );
        assert_eq!(out["Operations"][0]["path"], "name.givenName");
        assert_eq!(
            out["Operations"][1]["value"]["displayName"],
            "Given2 Family2-2"
        );
        assert_eq!(out["Operations"][0]["op"], "replace");
    }

    #[test]
    fn names_in_filters_and_emails_in_messages_are_replaced() {
        let p = learned(&[
            ("https://x/Users?filter=name.givenName+eq+%22Cleo%22", &[]),
            (
                "https://x/Users",
                &[r#"{"detail":"ada@acme.test exists","userName":"cleo"}"#],
            ),
        ]);
        assert_eq!(
            p.text("name.givenName eq \"Cleo\""),
            "name.givenName eq \"Given1\""
        );
        // A user name equal to a name seen before is the same person.
        assert_eq!(p.text("cleo"), "person-1");
        assert_eq!(
            p.text("the user ada@acme.test exists"),
            "the user person-2@example.invalid exists"
        );
        assert_eq!(p.text("no one here"), "no one here");
    }

    #[test]
    fn a_groups_display_name_is_a_team_and_its_members_are_people() {
        let group = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Engines","members":[{"value":"1","display":"Ada Lovelace"}]}"#;
        let p = learned(&[("https://x/Groups", &[group])]);
        let out: Value = serde_json::from_str(&p.body(group)).unwrap();
        assert_eq!(out["displayName"], "Engines");
        assert_eq!(out["members"][0]["display"], "Given1 Family1");
    }

    #[test]
    fn last_attributes_of_patch_paths() {
        for (path, want) in [
            ("name.givenName", "givenName"),
            ("emails[type eq \"work\"].value", "value"),
            ("emails[type eq \"work\"]", "emails"),
            (
                "urn:ietf:params:scim:schemas:core:2.0:User:userName",
                "userName",
            ),
            ("", ""),
        ] {
            assert_eq!(last_attribute(path), want, "{path}");
        }
    }
}
