//! The JSON Schemas of scenario and fixture files: the committed ones are what `schema` prints,
//! every file names its schema in its first line, an independent validator (`check-jsonschema`)
//! accepts the whole library, and the deliberately broken files in `tests/schema/broken` fail
//! both that validator and the harness's own loader, each for the reason it states. The YAML
//! language server editors run (`tests/schema/editor.js`) reads the modelines as an editor does:
//! it completes step names with their descriptions, finds nothing wrong in the library, and
//! underlines each broken file where it says.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use harness_scenario::schema::FileKind;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.yaml` file under `dir` (relative to the root), sorted.
fn yaml_files(dir: &str) -> Vec<PathBuf> {
    harness_scenario::discover(&[root().join(dir)])
        .unwrap()
        .into_iter()
        .map(|p| p.strip_prefix(root()).unwrap().to_owned())
        .collect()
}

/// The files of the library (scenarios and fixtures) with the kind their modeline names.
fn library() -> BTreeMap<PathBuf, FileKind> {
    let mut files = BTreeMap::new();
    for file in yaml_files("scenarios")
        .into_iter()
        .chain(yaml_files("fixtures"))
    {
        let text = std::fs::read_to_string(root().join(&file)).unwrap();
        let kind = FileKind::of_modeline(&file, &text)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        files.insert(file, kind);
    }
    files
}

#[test]
fn the_committed_schemas_are_what_schema_prints() {
    for kind in FileKind::ALL {
        let out = Command::new(env!("CARGO_BIN_EXE_asana-harness"))
            .args(["schema", kind.name()])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let printed = String::from_utf8(out.stdout).unwrap();
        assert_eq!(printed, kind.schema_text());
        let path = kind.committed_path();
        let committed = std::fs::read_to_string(root().join(path)).unwrap_or_default();
        assert!(
            committed == printed,
            "{path} is not what the types give: regenerate it with \
             `cargo run -- schema {} > {path}`",
            kind.name()
        );
    }
}

#[test]
fn every_scenario_and_fixture_opens_with_its_modeline() {
    let files = library();
    assert!(files.len() > 90, "{} files", files.len());
    for (file, kind) in &files {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        let first = text.lines().next().unwrap();
        assert_eq!(first, kind.modeline(file), "{}", file.display());
        if file.starts_with("scenarios") {
            assert_eq!(*kind, FileKind::Scenario, "{}", file.display());
        }
        // The modeline names the right kind: the harness reads the file as that kind.
        kind.load(&root().join(file))
            .unwrap_or_else(|e| panic!("{} as a {}: {e}", file.display(), kind.name()));
    }
    for kind in [FileKind::Fixture, FileKind::OneLoginDirectory] {
        assert!(
            files.values().any(|k| *k == kind),
            "no {} in fixtures/",
            kind.name()
        );
    }
}

/// `check-jsonschema` from the checkers' virtualenv, beside `SAML_PYTHON`.
fn check_jsonschema() -> Command {
    let bin = crate::checkers_bin("check-jsonschema", "check-jsonschema");
    let mut command = Command::new(bin);
    command.current_dir(root()).args(["--color", "never"]);
    command
}

#[test]
fn check_jsonschema_accepts_the_schemas_and_the_whole_library() {
    let out = check_jsonschema()
        .arg("--check-metaschema")
        .args(FileKind::ALL.map(FileKind::committed_path))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let files = library();
    for kind in FileKind::ALL {
        let of_kind: Vec<&PathBuf> = files
            .iter()
            .filter(|(_, k)| **k == kind)
            .map(|(f, _)| f)
            .collect();
        let out = check_jsonschema()
            .args(["--schemafile", kind.committed_path()])
            .args(&of_kind)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{} files against {}:\n{}",
            kind.name(),
            kind.committed_path(),
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

/// What a broken file says of itself: `# <label> <value>`.
fn stated<'a>(file: &Path, text: &'a str, label: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| panic!("{} has no `{label}` line", file.display()))
        .trim()
}

#[test]
fn each_broken_file_fails_the_validator_and_the_loader_for_its_reason() {
    let files = yaml_files("tests/schema/broken");
    assert!(files.len() >= 5, "{files:?}");
    let mut by_kind: BTreeMap<&str, Vec<&PathBuf>> = BTreeMap::new();
    for file in &files {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        let kind = FileKind::of_modeline(file, &text).unwrap();
        assert_eq!(text.lines().next().unwrap(), kind.modeline(file));
        let error = kind
            .load(&root().join(file))
            .expect_err(&format!("the loader accepts {}", file.display()));
        let says = stated(file, &text, "# the loader says:");
        assert!(
            error.to_string().contains(says),
            "{}: {error}",
            file.display()
        );
        by_kind.entry(kind.committed_path()).or_default().push(file);
    }
    for (schema, files) in by_kind {
        let out = check_jsonschema()
            .args(["--output-format", "JSON", "--schemafile", schema])
            .args(&files)
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
        assert_eq!(out.status.code(), Some(1), "{report:#}");
        for file in files {
            let text = std::fs::read_to_string(root().join(file)).unwrap();
            let at = stated(file, &text, "# check-jsonschema fails at:");
            let name = file.to_str().unwrap();
            let places: Vec<&str> = report["errors"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["filename"] == name)
                .map(|e| {
                    // Under `oneOf` (a step), the deepest failure is the one that says why.
                    e["best_deep_match"]["path"]
                        .as_str()
                        .or(e["path"].as_str())
                        .unwrap()
                })
                .collect();
            assert_eq!(places, [at], "{name}: {report:#}");
        }
    }
}

/// `node tests/schema/editor.js ARGS`, with the language server from `cargo xtask test`.
fn editor(args: &[&str], stdin: &str) -> String {
    use std::io::Write;
    let modules = std::env::var_os("NPM_MODULES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/npm/node_modules"));
    assert!(
        modules.join("yaml-language-server").exists(),
        "yaml-language-server is not installed: run `cargo xtask test`"
    );
    let mut child = Command::new("node")
        .current_dir(root())
        .arg("tests/schema/editor.js")
        .args(args)
        .env("NPM_MODULES_DIR", &modules)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("node runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn an_editor_underlines_each_broken_file_where_it_says_and_nothing_in_the_library() {
    let library: Vec<PathBuf> = library().into_keys().collect();
    let broken = yaml_files("tests/schema/broken");
    let files: Vec<&str> = library
        .iter()
        .chain(&broken)
        .map(|f| f.to_str().unwrap())
        .collect();
    let mut args = vec!["diagnose"];
    args.extend(&files);
    let mut seen = 0;
    for line in editor(&args, "").lines() {
        let report: serde_json::Value = serde_json::from_str(line).unwrap();
        let file = Path::new(report["file"].as_str().unwrap());
        let mut lines: Vec<u64> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d[0].as_u64().unwrap())
            .collect();
        lines.sort();
        lines.dedup();
        let expected: Vec<u64> = if file.starts_with("tests/schema/broken") {
            let text = std::fs::read_to_string(root().join(file)).unwrap();
            stated(file, &text, "# an editor underlines line:")
                .split(',')
                .map(|n| n.trim().parse().unwrap())
                .collect()
        } else {
            Vec::new()
        };
        assert_eq!(lines, expected, "{}: {report}", file.display());
        seen += 1;
    }
    assert_eq!(seen, files.len());
}

#[test]
fn an_editor_completes_step_names_with_their_descriptions() {
    let schema = FileKind::Scenario.schema().to_value();
    let steps = schema["definitions"]["Step"]["oneOf"].as_array().unwrap();
    let text = format!(
        "{}\nname: new\nsteps:\n  - \n",
        FileKind::Scenario.modeline(Path::new("scenarios/sso/new.yaml"))
    );
    // Line 4, after `  - `: where a person starts typing a step.
    let items: Vec<(String, String)> = serde_json::from_str(&editor(
        &["complete", "scenarios/sso/new.yaml", "4", "4"],
        &text,
    ))
    .unwrap();
    for step in steps {
        let name = step["required"][0].as_str().unwrap();
        let offered = items.iter().find(|(label, _)| label == name);
        let Some((_, documentation)) = offered else {
            panic!("{name} is not offered: {items:?}");
        };
        assert_eq!(
            documentation,
            step["description"].as_str().unwrap(),
            "{name}"
        );
    }
}
