//! scenarios/README.md's step tables, generated from the scenario schema (itself generated from
//! the types the loader reads with): a step or a field added without its row fails here, and
//! `ASANA_HARNESS_BLESS=1 cargo test --test cli scenario_reference` writes the rows.
//!
//! The family of a step is the file of `crates/scenario/src/steps/` its payload lives in, read
//! from the `Step` enum; each family's table sits in the README between two markers, so the
//! prose around the tables stays written by hand.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

const README: &str = "scenarios/README.md";
const END: &str = "<!-- end of generated steps -->";
const BLESS: &str = "`ASANA_HARNESS_BLESS=1 cargo test --test cli scenario_reference` rewrites it";

/// Defaults the schema cannot state (the enums have no `Serialize`): read in the code, each an
/// enum's `#[default]` variant.
const KNOWN_DEFAULTS: [(&str, &str, &str); 2] = [
    ("sign_in", "via", "idp"),
    ("expect_exchanges", "since", "start"),
];

/// One line of YAML per step: the table shows it, and `the_step_examples_load` loads them all
/// in one scenario whose `given` binds `sa`, `ada` and `asana-users`.
const EXAMPLES: [(&str, &str); 42] = [
    (
        "create_user",
        "{ as: grace, email: grace@acme.test, firstname: Grace, lastname: Hopper }",
    ),
    ("update_user", "{ user: ada, title: Engineer }"),
    ("suspend_user", "{ user: ada }"),
    ("unsuspend_user", "{ user: ada }"),
    ("delete_user", "{ user: ada }"),
    ("add_role_users", "{ role: asana-users, users: [ada] }"),
    ("remove_role_users", "{ role: asana-users, users: [ada] }"),
    ("set_role_apps", "{ role: asana-users, apps: [] }"),
    ("assign_app", "{ user: ada }"),
    ("unassign_app", "{ user: ada }"),
    (
        "configure_app",
        "{ token: \"${sa.token}\", enabled: true, on_delete: suspend }",
    ),
    ("enable_api", "{}"),
    ("reset_app_users", "{}"),
    ("import_users", "{ read: 2, linked: 1, unmatched: 1 }"),
    ("approve", "{ user: ada, action: create }"),
    ("deny", "{ user: ada, action: delete }"),
    ("retry", "{ user: ada }"),
    ("create_service_account", "{ as: full, scope: full }"),
    (
        "create_personal_access_token",
        "{ as: pat, user: ada@acme.test }",
    ),
    ("deauthorize_service_account", "{ account: sa }"),
    ("rotate_service_account", "{ account: sa }"),
    (
        "scim_request",
        "{ method: GET, path: '/Users?filter=userName eq \"ada@acme.test\"', token: \"${sa.token}\", expect_status: 200, as: found }",
    ),
    (
        "rest_request",
        "{ method: GET, path: /users/me, token: \"${full.token}\", expect_status: 200 }",
    ),
    ("set_switches", "{ delete_deprovisions: false }"),
    ("set_rate_limit", "{ requests_per_minute: 60 }"),
    (
        "configure_sso",
        "{ mode: required, signature_algorithm: rsa-sha256 }",
    ),
    ("sign_in", "{ user: ada, via: sp }"),
    ("tamper_assertion", "{ user: ada, attack: replay }"),
    ("rotate_idp_certificate", "{ upload: true }"),
    (
        "inject_fault",
        "{ method: POST, path: /api/1.0/scim/Users, status: 503, times: 2 }",
    ),
    ("clear_faults", "{}"),
    ("advance_clock", "\"5m\""),
    ("expect_api_status", "connected"),
    (
        "expect_task",
        "{ user: ada, action: create, status: failed, error_contains: Not Authorized }",
    ),
    ("expect_no_task", "{ user: ada, action: update }"),
    (
        "expect_asana_user",
        "{ user_name: ada@acme.test, active: false, deprovisioned_via: scim_delete }",
    ),
    (
        "expect_team_members",
        "{ team: Marketing, members: [ada@acme.test] }",
    ),
    (
        "expect_user_app",
        "{ user: ada, provisioning_state: provisioned, linked_to: ada@acme.test }",
    ),
    (
        "expect_exchanges",
        "{ since: previous, sequence: [\"POST /api/1.0/scim/Users 201\"] }",
    ),
    (
        "expect_sign_in",
        "{ user: ada, outcome: refused, by: asana, reason: bad_signature }",
    ),
    ("expect_session", "{ user: ada, signed_in: false }"),
    (
        "expect_event",
        "{ type: provisioning_failed, user: ada, error_contains: HTTP 503 }",
    ),
];

fn path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(path(relative)).unwrap()
}

/// `(step name, family)` in the `Step` enum's order, the family being the module that holds the
/// payload (`CreateUser(onelogin_directory::NewUser)`).
fn families_in_code() -> Vec<(String, String)> {
    let source = read("crates/scenario/src/steps/mod.rs");
    let body = source
        .split("pub enum Step {")
        .nth(1)
        .expect("the Step enum")
        .split("\n}\n")
        .next()
        .unwrap();
    body.lines()
        .map(str::trim)
        .filter(|l| l.starts_with(|c: char| c.is_ascii_uppercase()) && l.contains("::"))
        .map(|line| {
            let variant = line.split('(').next().unwrap();
            let payload = line.trim_end_matches([',', ')']);
            let payload = payload.rsplit([' ', '(']).next().unwrap();
            let module = payload.split("::").next().unwrap();
            (snake_case(variant), module.to_owned())
        })
        .collect()
}

fn snake_case(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The committed scenario schema, and lookups in its definitions.
struct Schema(Value);

impl Schema {
    fn load() -> Schema {
        Schema(serde_json::from_str(&read("scenarios/scenario.schema.json")).unwrap())
    }

    /// `(step name, its description, the schema of its value)` in the schema's order.
    fn steps(&self) -> Vec<(String, String, &Value)> {
        let steps = self.0["definitions"]["Step"]["oneOf"].as_array().unwrap();
        steps
            .iter()
            .map(|alt| {
                let (name, value) = alt["properties"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .next()
                    .unwrap();
                (name.clone(), text(&alt["description"]), value)
            })
            .collect()
    }

    /// Follows `$ref` and a lone `allOf`: the definition's name, when there is one, and its schema.
    fn resolve<'a>(&'a self, v: &'a Value) -> (Option<&'a str>, &'a Value) {
        if let Some(r) = v["$ref"].as_str() {
            let name = r.rsplit('/').next().unwrap();
            let (_, def) = self.resolve(&self.0["definitions"][name]);
            return (Some(name), def);
        }
        match v["allOf"].as_array().map(Vec::as_slice) {
            Some([one]) => self.resolve(one),
            _ => (None, v),
        }
    }

    /// The alternatives of an `anyOf` or `oneOf`, `null` left out.
    fn alternatives<'a>(&'a self, v: &'a Value) -> Vec<&'a Value> {
        let alts = v["anyOf"].as_array().or(v["oneOf"].as_array());
        alts.into_iter()
            .flatten()
            .filter(|a| a["type"] != "null")
            .collect()
    }

    /// The values of an enumeration (an `enum`, a `const`, or alternatives that are), with the
    /// descriptions those that have one carry.
    fn values(&self, v: &Value) -> Option<Vec<(String, Option<String>)>> {
        let (_, v) = self.resolve(v);
        if let Some(e) = v["enum"].as_array() {
            return Some(e.iter().map(|x| (text(x), None)).collect());
        }
        if let Some(c) = v.get("const") {
            let note = v.get("description").map(text);
            return Some(vec![(text(c), note)]);
        }
        let alts = self.alternatives(v);
        if alts.is_empty() {
            return None;
        }
        let all: Option<Vec<Vec<_>>> = alts.iter().map(|a| self.values(a)).collect();
        Some(all?.into_iter().flatten().collect())
    }

    /// A field's type in words: the values of an enumeration, `list of ...`, or the JSON type.
    fn type_of(&self, v: &Value) -> String {
        let (name, def) = self.resolve(v);
        match name {
            Some("Duration") => return "duration".into(),
            Some("Pattern") => return "exchange pattern".into(),
            _ => {}
        }
        if let Some(values) = self.values(def) {
            let values: Vec<String> = values.iter().map(|(v, _)| format!("`{v}`")).collect();
            return values.join(" | ");
        }
        let alts = self.alternatives(def);
        if !alts.is_empty() {
            let types: Vec<String> = alts.iter().map(|a| self.type_of(a)).collect();
            return types.join(" or ");
        }
        let types: Vec<&str> = match &def["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        match types.iter().find(|t| **t != "null") {
            Some(&"array") => format!("list of {}", self.type_of(&def["items"])),
            Some(t) => (*t).to_owned(),
            None => "any value".to_owned(),
        }
    }

    /// Whether the field may be left out with nothing in its place.
    fn is_optional(&self, v: &Value) -> bool {
        let nullable_type = v["type"]
            .as_array()
            .is_some_and(|t| t.contains(&"null".into()));
        let nullable_alt = v["anyOf"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x["type"] == "null"));
        let untyped =
            v.get("type").is_none() && v.get("$ref").is_none() && v.get("allOf").is_none();
        nullable_type || nullable_alt || (untyped && v.get("anyOf").is_none())
    }
}

/// A JSON string's text, or any other value as JSON; newlines become spaces.
fn text(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A table cell: `|` escaped, which GitHub's tables also read inside code spans.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// The rows of one step: its own, then one per field (`parent.field` for an object's fields).
fn step_rows(schema: &Schema, name: &str, description: &str, value: &Value) -> Vec<String> {
    let example = EXAMPLES
        .iter()
        .find(|(step, _)| *step == name)
        .unwrap_or_else(|| panic!("{name}: add a one-line example to EXAMPLES"))
        .1;
    let mut rows = vec![format!(
        "| **`{name}`** | | | {} Example: `{name}: {}` |",
        cell(description),
        cell(example)
    )];
    let (_, payload) = schema.resolve(value);
    if name == "set_switches" {
        let switches: Vec<String> = payload["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(|k| format!("`{k}`"))
            .collect();
        rows.push(format!(
            "| *a switch's name* | boolean | unchanged | Any fidelity switch of the top-level README's table, which says what each does: {}. |",
            switches.join(", ")
        ));
        return rows;
    }
    if payload.get("properties").is_some() {
        field_rows(schema, name, "", payload, &mut rows);
        return rows;
    }
    let alts = schema.alternatives(payload);
    let has_object = |v: &&Value| schema.resolve(v).1.get("properties").is_some();
    if !alts.iter().any(has_object) {
        rows.push(value_row(schema, value, payload.get("description")));
        return rows;
    }
    for alt in alts {
        let (_, resolved) = schema.resolve(alt);
        if has_object(&alt) {
            field_rows(schema, name, "", resolved, &mut rows);
        } else {
            let meaning = resolved.get("description").or(alt.get("description"));
            rows.push(value_row(schema, alt, meaning));
        }
    }
    rows
}

/// The row of a step whose value is not (only) an object of fields: `"5m"`, `connected`, `{}`.
fn value_row(schema: &Schema, v: &Value, meaning: Option<&Value>) -> String {
    format!(
        "| *the value itself* | {} | required | {} |",
        cell(&schema.type_of(v)),
        cell(&meaning.map(text).unwrap_or_default())
    )
}

fn field_rows(schema: &Schema, step: &str, prefix: &str, object: &Value, rows: &mut Vec<String>) {
    let required: Vec<&str> = object["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for (field, v) in object["properties"].as_object().unwrap() {
        let default = default_of(schema, step, field, v, required.contains(&field.as_str()));
        let mut meaning = v.get("description").map(text).unwrap_or_default();
        if let Some(values) = schema.values(v) {
            for (value, note) in values {
                if let Some(note) = note {
                    meaning.push_str(&format!(" `{value}`: {note}"));
                }
            }
        }
        rows.push(format!(
            "| `{prefix}{field}` | {} | {} | {} |",
            cell(&schema.type_of(v)),
            cell(&default),
            cell(&meaning)
        ));
        let (_, nested) = schema.resolve(schema.alternatives(v).first().copied().unwrap_or(v));
        if nested.get("properties").is_some() {
            field_rows(schema, step, &format!("{prefix}{field}."), nested, rows);
        }
    }
}

fn default_of(schema: &Schema, step: &str, field: &str, v: &Value, required: bool) -> String {
    if required {
        return "required".into();
    }
    if let Some(d) = v.get("default") {
        return match d {
            Value::String(s) => format!("`{s}`"),
            other => format!("`{other}`"),
        };
    }
    if schema.is_optional(v) {
        return "absent".into();
    }
    if schema.resolve(v).1["type"] == "array" {
        return "`[]`".into();
    }
    KNOWN_DEFAULTS
        .iter()
        .find(|(s, f, _)| *s == step && *f == field)
        .map(|(_, _, d)| format!("`{d}`"))
        .unwrap_or_else(|| {
            panic!("{step}.{field}: the schema gives no default; read it in the code and add it to KNOWN_DEFAULTS")
        })
}

/// Each family's table, by module name, in the `Step` enum's order.
fn generated_tables() -> BTreeMap<String, String> {
    let schema = Schema::load();
    let families: BTreeMap<String, String> = families_in_code().into_iter().collect();
    let mut tables: BTreeMap<String, String> = BTreeMap::new();
    for (name, description, value) in schema.steps() {
        let family = families
            .get(&name)
            .unwrap_or_else(|| panic!("{name} is in the schema but not in the Step enum"));
        let table = tables.entry(family.clone()).or_insert_with(|| {
            "| step and field | type | default | meaning |\n|---|---|---|---|\n".to_owned()
        });
        for row in step_rows(&schema, &name, &description, value) {
            table.push_str(&row);
            table.push('\n');
        }
    }
    tables
}

fn start_marker(family: &str) -> String {
    format!("<!-- generated steps: crates/scenario/src/steps/{family}.rs -->\n")
}

/// The README's text between a family's markers.
fn region(readme: &str, family: &str) -> Option<(usize, usize)> {
    let marker = start_marker(family);
    let start = readme.find(&marker)? + marker.len();
    let end = start + readme[start..].find(END)?;
    Some((start, end))
}

#[test]
fn every_step_and_field_has_its_row_in_the_scenario_reference() {
    let tables = generated_tables();
    let mut readme = read(README);
    if std::env::var_os("ASANA_HARNESS_BLESS").is_some_and(|v| v == "1") {
        for (family, table) in &tables {
            if let Some((start, end)) = region(&readme, family) {
                readme.replace_range(start..end, table);
            }
        }
        std::fs::write(path(README), &readme).unwrap();
    }
    for (family, table) in &tables {
        let (start, end) = region(&readme, family).unwrap_or_else(|| {
            panic!(
                "{README} has no table for the steps of {family}.rs: add a section with the lines {:?} and {END:?}, then {BLESS}",
                start_marker(family).trim()
            )
        });
        let have: Vec<&str> = readme[start..end].lines().collect();
        let want: Vec<&str> = table.lines().collect();
        if let Some(i) = (0..want.len().max(have.len())).find(|&i| want.get(i) != have.get(i)) {
            panic!(
                "{README}: the table of {family}.rs differs from the schema at row {i}:\n  \
                 expected {:?}\n  found    {:?}\n{BLESS}",
                want.get(i),
                have.get(i)
            );
        }
    }
    let markers = readme.matches("<!-- generated steps: ").count();
    assert_eq!(
        markers,
        tables.len(),
        "{README} has a table for a family that has no steps"
    );
}

#[test]
fn every_step_in_the_enum_is_in_the_schema_and_has_one_example() {
    let in_code: Vec<String> = families_in_code().into_iter().map(|(n, _)| n).collect();
    let in_schema: Vec<String> = Schema::load().steps().into_iter().map(|s| s.0).collect();
    assert_eq!(
        in_code, in_schema,
        "the Step enum as parsed, and the schema"
    );
    let examples: Vec<&str> = EXAMPLES.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        examples, in_schema,
        "EXAMPLES: one per step, in the enum's order"
    );
}

/// The examples are real: all of them, as one scenario, pass the loader (types, fields, names).
#[test]
fn the_step_examples_load() {
    let steps: String = EXAMPLES
        .iter()
        .map(|(step, example)| format!("  - {step}: {example}\n"))
        .collect();
    let text = format!(
        "name: the reference's examples\n\
         given:\n\
         \x20 asana: {{ service_accounts: [{{ as: sa, scope: scim }}] }}\n\
         \x20 onelogin:\n\
         \x20   users: [{{ as: ada, email: ada@acme.test, firstname: Ada, lastname: Lovelace }}]\n\
         \x20   roles: [{{ as: asana-users, apps: [asana] }}]\n\
         steps:\n{steps}"
    );
    if let Err(e) = harness_scenario::load_str(&text, "examples.yaml") {
        panic!("the reference's examples do not load: {e}\n{text}");
    }
}
