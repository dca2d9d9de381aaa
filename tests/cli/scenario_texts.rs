//! The texts scenarios/README.md offers to `error_contains` and `message_contains` are real:
//! each is written by the fakes' source, or matched by a scenario of the library (which runs).

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir` whose name ends with `ext`, read and joined.
fn text_of(dir: &Path, ext: &str, out: &mut String) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            text_of(&path, ext, out);
        } else if path.to_string_lossy().ends_with(ext) {
            out.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
}

/// The backticked texts of the second column of the README's "Texts to match" table.
fn texts_in_readme() -> Vec<String> {
    let readme = std::fs::read_to_string(root().join("scenarios/README.md")).unwrap();
    let section = readme
        .split("### Texts to match")
        .nth(1)
        .expect("the section \"Texts to match\"");
    let mut texts = Vec::new();
    for row in section
        .lines()
        .skip_while(|l| !l.starts_with("| where"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
    {
        let cells: Vec<&str> = row.trim_matches('|').split(" | ").collect();
        let quoted = cells[1].split('`').skip(1).step_by(2);
        texts.extend(quoted.map(str::to_owned));
    }
    assert!(texts.len() >= 10, "the README's text table: {texts:?}");
    texts
}

#[test]
fn the_texts_to_match_are_written_by_the_fakes_or_matched_by_a_scenario() {
    let mut source = String::new();
    for entry in std::fs::read_dir(root().join("crates")).unwrap() {
        let src = entry.unwrap().path().join("src");
        if src.is_dir() {
            text_of(&src, ".rs", &mut source);
        }
    }
    let mut scenarios = String::new();
    text_of(&root().join("scenarios"), ".yaml", &mut scenarios);
    let matched_in_scenarios: Vec<&str> = scenarios
        .split(['{', ','])
        .filter_map(|part| {
            let part = part.trim();
            let value = part
                .strip_prefix("error_contains:")
                .or_else(|| part.strip_prefix("message_contains:"))?;
            let value = value.lines().next().unwrap_or_default();
            Some(value.trim().trim_end_matches('}').trim().trim_matches('"'))
        })
        .collect();
    let unknown: Vec<String> = texts_in_readme()
        .into_iter()
        .filter(|t| !source.contains(t.as_str()) && !matched_in_scenarios.contains(&t.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "scenarios/README.md offers texts no fake writes and no scenario matches: {unknown:?}"
    );
}
