//! Ids the server assigns, mapped from the recording's to the replay's as the run goes, the way a
//! scenario's bindings carry an id from the answer that made it to the requests that use it.
//!
//! An id is learned where both answers name a resource: the top-level `id` of a resource, and
//! the `id` of each resource of a list, paired by `userName` (or `displayName`) rather than by
//! place, since two servers need not list in the same order.
//!
//! A recording whose answers have their ids redacted (`"[id]"`, as `run --har` writes them)
//! still names ids in its paths. There the map guesses as a client works: an id of a path that
//! no answer showed is the one the latest answer without a visible id gave (a lookup, then a
//! `PUT /Users/{that id}`).

use std::collections::BTreeMap;

use serde_json::Value;

#[derive(Debug, Default, Clone)]
pub struct IdMap {
    recorded_to_live: BTreeMap<String, String>,
    /// Live ids whose recorded id was redacted, latest last, not yet met in a path.
    unclaimed: Vec<String>,
}

impl IdMap {
    /// Learns the ids of one exchange's two answers.
    pub fn learn(&mut self, recorded: &Value, live: &Value) {
        self.pair(recorded, live);
        if let (Some(r), Some(l)) = (
            recorded["Resources"].as_array(),
            live["Resources"].as_array(),
        ) {
            for r in r {
                if let Some(l) = l.iter().find(|l| same_resource(r, l)) {
                    self.pair(r, l);
                }
            }
        }
    }

    fn pair(&mut self, recorded: &Value, live: &Value) {
        let (Some(r), Some(l)) = (recorded["id"].as_str(), live["id"].as_str()) else {
            return;
        };
        if redacted(r) {
            self.unclaimed.retain(|u| u != l);
            self.unclaimed.push(l.to_owned());
        } else {
            self.recorded_to_live.insert(r.to_owned(), l.to_owned());
        }
    }

    pub fn live(&self, recorded: &str) -> Option<&str> {
        self.recorded_to_live.get(recorded).map(String::as_str)
    }

    /// A path's id segments (`/Users/{recorded}`) as the live ids; an id no answer showed
    /// claims the latest unclaimed live id (see the module's note).
    pub fn path(&mut self, path: &str) -> String {
        let mut out = Vec::new();
        let mut after_collection = false;
        for seg in path.split('/') {
            let live = match self.live(seg) {
                Some(live) => live.to_owned(),
                None if after_collection && !seg.is_empty() => match self.unclaimed.pop() {
                    Some(live) => {
                        self.recorded_to_live.insert(seg.to_owned(), live.clone());
                        live
                    }
                    None => seg.to_owned(),
                },
                None => seg.to_owned(),
            };
            after_collection = matches!(seg, "Users" | "Groups");
            out.push(live);
        }
        out.join("/")
    }

    /// A query with every recorded id in it (`filter=id eq "…"`) as the live one.
    pub fn query(&self, query: &str) -> String {
        let mut out = query.to_owned();
        for (recorded, live) in &self.recorded_to_live {
            // Short ids would match inside other words: only ids of some length are replaced.
            if recorded.len() >= 4 {
                out = out.replace(recorded.as_str(), live);
            }
        }
        out
    }

    /// A JSON value with every string that is a recorded id replaced by the live one.
    pub fn body(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.live(s).unwrap_or(s).to_owned()),
            Value::Array(a) => Value::Array(a.iter().map(|v| self.body(v)).collect()),
            Value::Object(m) => {
                Value::Object(m.iter().map(|(k, v)| (k.clone(), self.body(v))).collect())
            }
            other => other.clone(),
        }
    }
}

/// An id a producer replaced with a placeholder (`[id]`).
pub fn redacted(id: &str) -> bool {
    id.is_empty() || id.starts_with('[')
}

/// Whether two listed resources are the same person or group.
pub fn same_resource(a: &Value, b: &Value) -> bool {
    let key = |v: &Value| {
        v["userName"]
            .as_str()
            .or(v["displayName"].as_str())
            .map(str::to_lowercase)
    };
    key(a).is_some() && key(a) == key(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_learned_from_answers_rewrite_paths_queries_and_bodies() {
        let mut ids = IdMap::default();
        ids.learn(&json!({"id": "1111"}), &json!({"id": "9999"}));
        ids.learn(
            &json!({"Resources": [{"id": "2222", "userName": "A@x.test"}, {"id": "3333", "userName": "b@x.test"}]}),
            &json!({"Resources": [{"id": "8", "userName": "b@x.test"}, {"id": "7", "userName": "a@x.test"}]}),
        );
        assert_eq!(ids.path("/Users/1111"), "/Users/9999");
        assert_eq!(ids.path("/Users/2222"), "/Users/7");
        assert_eq!(
            ids.query("filter=id%20eq%20%223333%22"),
            "filter=id%20eq%20%228%22"
        );
        assert_eq!(
            ids.body(&json!({"members": [{"value": "1111"}], "n": 1111})),
            json!({"members": [{"value": "9999"}], "n": 1111})
        );
        assert_eq!(ids.path("/Users/unknown"), "/Users/unknown");
    }

    #[test]
    fn an_id_redacted_in_answers_is_the_latest_one_unclaimed() {
        let mut ids = IdMap::default();
        ids.learn(
            &json!({"Resources": [{"id": "[id]", "userName": "a@x.test"}]}),
            &json!({"Resources": [{"id": "7", "userName": "a@x.test"}]}),
        );
        assert_eq!(ids.path("/Users/1200"), "/Users/7");
        assert_eq!(ids.path("/Users/1200"), "/Users/7", "claimed once, kept");
        assert_eq!(
            ids.path("/Users/1300"),
            "/Users/1300",
            "nothing left to claim"
        );
    }
}
