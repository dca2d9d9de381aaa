//! JSON Schemas of the files the harness reads (scenarios, fake-Asana fixtures, OneLogin
//! directories), derived with schemars from the very serde types that read them, so that what
//! an editor underlines and what the loader refuses cannot drift apart.
//!
//! The schemas are JSON Schema draft 7: what the YAML language server behind editors' YAML
//! support implements fully (newer drafts it reads only in part). Each file names its schema in
//! its first line, `# yaml-language-server: $schema=<relative path>`; [`FileKind::of_modeline`]
//! reads that line back.
//!
//! What a schema cannot say, the loader still checks: names bound with `as:` before use,
//! `${name.field}` references, and whether a fixture's users and teams fit together.

use std::path::{Component, Path, PathBuf};

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};
use serde_json::Value;

/// The opening of every scenario and fixture file's first line.
pub const MODELINE_PREFIX: &str = "# yaml-language-server: $schema=";

/// A kind of file the harness reads, each with its own schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A scenario (`scenarios/**/*.yaml`): `crate::format::Scenario`.
    Scenario,
    /// A fake-Asana fixture: organizations, members, teams, service accounts.
    Fixture,
    /// A OneLogin directory: users and roles.
    OneLoginDirectory,
}

impl FileKind {
    pub const ALL: [FileKind; 3] = [
        FileKind::Scenario,
        FileKind::Fixture,
        FileKind::OneLoginDirectory,
    ];

    /// As `asana-harness schema` names it.
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Scenario => "scenario",
            FileKind::Fixture => "fixture",
            FileKind::OneLoginDirectory => "onelogin-directory",
        }
    }

    pub fn from_name(name: &str) -> Option<FileKind> {
        FileKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Where the schema is committed, relative to the repository's root.
    pub fn committed_path(self) -> &'static str {
        match self {
            FileKind::Scenario => "scenarios/scenario.schema.json",
            FileKind::Fixture => "fixtures/fixture.schema.json",
            FileKind::OneLoginDirectory => "fixtures/onelogin-directory.schema.json",
        }
    }

    /// Serialized with the keywords in schemars' reading order (`$schema`, `title` and
    /// `description` first, `definitions` last).
    pub fn schema(self) -> Schema {
        let (mut schema, title) = match self {
            FileKind::Scenario => (
                schema_for::<crate::format::Scenario>(),
                "asana-harness scenario",
            ),
            FileKind::Fixture => (
                schema_for::<fake_asana::fixture::Fixture>(),
                "asana-harness fake Asana fixture",
            ),
            FileKind::OneLoginDirectory => (
                schema_for::<fake_onelogin::seed::Directory>(),
                "asana-harness OneLogin directory",
            ),
        };
        schema.insert("title".into(), title.into());
        schema
    }

    /// The schema as committed: pretty JSON with a final newline.
    pub fn schema_text(self) -> String {
        let mut text =
            serde_json::to_string_pretty(&self.schema()).expect("a schema is plain JSON");
        text.push('\n');
        text
    }

    /// The first line a file of this kind at `file` opens with; `file` and the schema are both
    /// relative to the repository's root.
    pub fn modeline(self, file: &Path) -> String {
        let dir = file.parent().unwrap_or(Path::new(""));
        let target = relative(dir, Path::new(self.committed_path()));
        format!("{MODELINE_PREFIX}{}", target.display())
    }

    /// The kind whose schema `file`'s first line names, with `file` relative to the repository's
    /// root; an error says what is wrong with the line.
    pub fn of_modeline(file: &Path, text: &str) -> Result<FileKind, String> {
        let first = text.lines().next().unwrap_or_default();
        let Some(target) = first.strip_prefix(MODELINE_PREFIX) else {
            return Err(format!(
                "the first line is not `{MODELINE_PREFIX}<schema>`: {first:?}"
            ));
        };
        let dir = file.parent().unwrap_or(Path::new(""));
        let named = normalize(&dir.join(target.trim()));
        FileKind::ALL
            .into_iter()
            .find(|k| named == Path::new(k.committed_path()))
            .ok_or_else(|| {
                format!(
                    "the modeline names {}, which is none of the schemas ({})",
                    named.display(),
                    FileKind::ALL.map(FileKind::committed_path).join(", ")
                )
            })
    }

    /// Reads `path` as the harness does a file of this kind: the loader's own verdict, beside
    /// the schema's.
    pub fn load(self, path: &Path) -> Result<(), String> {
        match self {
            FileKind::Scenario => crate::load_file(path).map(drop).map_err(|e| e.to_string()),
            FileKind::Fixture => fake_asana::fixture::Fixture::load(path)
                .map(drop)
                .map_err(|e| e.to_string()),
            FileKind::OneLoginDirectory => {
                let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
                let directory =
                    fake_onelogin::seed::Directory::parse(&text, &path.display().to_string())
                        .map_err(|e| e.to_string())?;
                // What a scenario's `onelogin.fixture` checks too: every app is `asana`.
                crate::format::given_of(directory).map(drop)
            }
        }
    }
}

/// Draft 7, reading as serde deserializes (defaults make a field optional; `from` and
/// `deny_unknown_fields` are honoured).
fn schema_for<T: JsonSchema>() -> Schema {
    let mut schema = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<T>();
    if let Some(map) = schema.as_object_mut() {
        map.values_mut().for_each(drop_null_defaults);
        if let Some(Value::Object(definitions)) = map.get_mut("definitions") {
            definitions.values_mut().for_each(describe_variant_keys);
        }
    }
    schema
}

/// An externally tagged variant (`- sign_in: {...}`) is an object with one key, and its doc
/// comment lands on that object; editors show the key's own schema when completing or hovering
/// the key, which is the payload type's. Each key gets its variant's description, so `sign_in`
/// explains the step rather than the struct it takes.
fn describe_variant_keys(definition: &mut Value) {
    let Some(Value::Array(variants)) = definition.get_mut("oneOf") else {
        return;
    };
    for variant in variants {
        let Some(description) = variant.get("description").cloned() else {
            continue;
        };
        let Some(Value::Object(properties)) = variant.get_mut("properties") else {
            continue;
        };
        if properties.len() != 1 {
            continue;
        }
        for key in properties.values_mut() {
            let Value::Object(fields) = key else {
                continue;
            };
            // Draft 7 ignores a `$ref`'s siblings, so a reference moves under `allOf`.
            if let Some(reference) = fields.remove("$ref") {
                fields.insert(
                    "allOf".into(),
                    Value::Array(vec![serde_json::json!({ "$ref": reference })]),
                );
            }
            fields.insert("description".into(), description.clone());
        }
    }
}

/// `"default": null` is what serde's `default` gives an `Option`, but it reads as "null is
/// what you get", which for `null`-means-off fields (rate limits, `linked_to`) is wrong: absent
/// and `null` differ there. Absent is the default, and needs no saying.
fn drop_null_defaults(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("default").is_some_and(Value::is_null) {
                map.remove("default");
            }
            map.values_mut().for_each(drop_null_defaults);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null_defaults),
        _ => {}
    }
}

/// `to` as seen from the folder `from` (both relative to the same root).
fn relative(from: &Path, to: &Path) -> PathBuf {
    let (from, to) = (normalize(from), normalize(to));
    let (from, to): (Vec<Component>, Vec<Component>) =
        (from.components().collect(), to.components().collect());
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for part in &to[common..] {
        out.push(part);
    }
    out
}

/// Removes `.` and folds `dir/..`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modelines_point_up_from_subfolders() {
        let line = FileKind::Scenario.modeline(Path::new("scenarios/sso/replay.yaml"));
        assert_eq!(line, format!("{MODELINE_PREFIX}../scenario.schema.json"));
        let line = FileKind::Scenario.modeline(Path::new("scenarios/top.yaml"));
        assert_eq!(line, format!("{MODELINE_PREFIX}scenario.schema.json"));
        let line = FileKind::Fixture.modeline(Path::new("tests/schema/broken/x.yaml"));
        assert_eq!(
            line,
            format!("{MODELINE_PREFIX}../../../fixtures/fixture.schema.json")
        );
    }

    #[test]
    fn a_modeline_is_read_back_to_its_kind() {
        for kind in FileKind::ALL {
            for file in ["scenarios/a/b.yaml", "fixtures/f.yaml", "tests/x/y/z.yaml"] {
                let file = Path::new(file);
                let text = format!("{}\nname: x\n", kind.modeline(file));
                assert_eq!(FileKind::of_modeline(file, &text), Ok(kind), "{file:?}");
            }
        }
        let file = Path::new("scenarios/a/b.yaml");
        let wrong = format!("{MODELINE_PREFIX}scenario.schema.json\n");
        assert!(
            FileKind::of_modeline(file, &wrong)
                .unwrap_err()
                .contains("scenarios/a/scenario.schema.json")
        );
        assert!(
            FileKind::of_modeline(file, "# Proves: x\n")
                .unwrap_err()
                .contains("first line")
        );
    }

    /// What an editor shows on hover: every step and every field says what it is.
    #[test]
    fn every_step_and_field_is_described() {
        let mut missing = Vec::new();
        for kind in FileKind::ALL {
            let schema = kind.schema().to_value();
            let mut objects = vec![(kind.name().to_owned(), &schema)];
            for (name, definition) in schema["definitions"].as_object().into_iter().flatten() {
                objects.push((name.clone(), definition));
            }
            for (name, object) in objects {
                for (field, property) in object["properties"].as_object().into_iter().flatten() {
                    if property.get("description").is_none() {
                        missing.push(format!("{}: {name}.{field}", kind.name()));
                    }
                }
            }
        }
        let steps = FileKind::Scenario.schema().to_value()["definitions"]["Step"]["oneOf"].clone();
        let steps = steps.as_array().expect("steps are a oneOf");
        assert!(steps.len() > 40, "{} steps", steps.len());
        for step in steps {
            let name = step["required"][0].as_str().expect("a step is named");
            // On the key too: what an editor shows when completing or hovering it.
            if step["properties"][name].get("description").is_none() {
                missing.push(format!("step {name}"));
            }
        }
        assert!(missing.is_empty(), "no doc comment: {missing:#?}");
    }

    /// The rules the loader applies by hand are in the schema too.
    #[test]
    fn hand_parsed_values_are_described_faithfully() {
        let schema = FileKind::Scenario.schema().to_value();
        let definitions = &schema["definitions"];
        let task = &definitions["TaskExpectation"]["properties"];
        assert!(task.get("requests").is_some() && task.get("attempts").is_none());
        let reasons = definitions["ReasonCode"]["enum"].as_array().unwrap();
        for code in ["bad_signature", "expired", "cannot_log_in"] {
            assert!(reasons.iter().any(|r| r == code), "{code}");
        }
        let switches = &definitions["AsanaGiven"]["properties"]["switches"];
        assert_eq!(switches["additionalProperties"], false);
        assert_eq!(
            switches["properties"].as_object().unwrap().len(),
            fake_asana::Switch::ALL.len()
        );
        assert!(
            definitions["Pattern"]["pattern"]
                .as_str()
                .unwrap()
                .contains("[Pp][Aa][Tt][Cc][Hh]")
        );
    }

    #[test]
    fn names_round_trip() {
        for kind in FileKind::ALL {
            assert_eq!(FileKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(FileKind::from_name("scenarios"), None);
    }
}
