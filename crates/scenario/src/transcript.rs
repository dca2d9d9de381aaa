//! Redaction for transcripts: ids, timestamps and secrets are replaced by placeholders, so a
//! transcript shows what was said and changes only when behaviour does.

use serde_json::Value;

/// A path with long numeric segments (ids) replaced.
pub fn path(p: &str) -> String {
    let (path, query) = p.split_once('?').map_or((p, None), |(a, b)| (a, Some(b)));
    let path: Vec<String> = path
        .split('/')
        .map(|seg| {
            if seg.len() >= 6 && seg.chars().all(|c| c.is_ascii_digit()) {
                "{id}".to_owned()
            } else {
                seg.to_owned()
            }
        })
        .collect();
    match query {
        Some(q) => format!("{}?{q}", path.join("/")),
        None => path.join("/"),
    }
}

/// A body, redacted, as ` {json}`; empty for none.
pub fn body(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(v) => format!(" {}", redact(v.clone())),
    }
}

pub fn redact(mut value: Value) -> Value {
    walk(&mut value, "");
    value
}

fn walk(value: &mut Value, key: &str) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                walk(v, k);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| walk(v, key)),
        Value::String(s) if harness_server::redact::is_secret_key(key) => *s = "[secret]".into(),
        Value::String(s) if is_time(key) => *s = "[time]".into(),
        Value::String(s) if (is_id(key) || key == "value") && looks_like_id(s) => {
            *s = "[id]".into()
        }
        Value::String(s) if s.contains("://127.0.0.1:") => *s = ports(s),
        // OneLogin's ids start at 100001; counts and codes are small.
        Value::Number(n) if is_id(key) || n.as_u64().is_some_and(|n| n >= 100_000) => {
            *value = Value::String("[id]".into())
        }
        _ => {}
    }
}

fn is_time(key: &str) -> bool {
    key.ends_with("_at") || key == "created" || key == "lastModified"
}

fn is_id(key: &str) -> bool {
    key == "id" || key == "gid" || key.ends_with("_id")
}

fn looks_like_id(s: &str) -> bool {
    s.len() >= 6 && s.chars().all(|c| c.is_ascii_digit())
}

/// Loopback ports are picked at random; a transcript names the service, not the port.
pub fn ports(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("127.0.0.1:") {
        let (head, tail) = rest.split_at(i + "127.0.0.1:".len());
        out.push_str(head);
        let digits = tail.chars().take_while(char::is_ascii_digit).count();
        out.push_str("{port}");
        rest = &tail[digits..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_times_and_secrets_are_replaced() {
        let v = redact(
            json!({"id": "1200000000000007", "user_id": 100003, "token": "2/1/2:abc", "created_at": "2026-01-01T09:00:00Z",
            "members": [{"value": "1200000000000003"}], "userName": "ada@acme.test", "name_id": "email", "apps": [100001],
            "requests": 2, "url": "http://127.0.0.1:40123/api/1.0/scim"}),
        );
        assert_eq!(
            v,
            json!({"id": "[id]", "user_id": "[id]", "token": "[secret]", "created_at": "[time]",
            "members": [{"value": "[id]"}], "userName": "ada@acme.test", "name_id": "email", "apps": ["[id]"],
            "requests": 2, "url": "http://127.0.0.1:{port}/api/1.0/scim"})
        );
        assert_eq!(
            path("/api/1.0/scim/Users/1200000000000007?"),
            "/api/1.0/scim/Users/{id}?"
        );
        assert_eq!(path("/api/2/users/100003/apps"), "/api/2/users/{id}/apps");
    }
}
