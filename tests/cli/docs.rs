//! Documentation that must not drift from the code it describes.

use std::path::PathBuf;

fn read(path: &str) -> String {
    std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// `(name, on in the asana profile, doc comment)` for each switch, from the `switches!` list in
/// the fake Asana's source: the doc comment is where each switch cites its fact.
fn switches_in_code() -> Vec<(String, bool, String)> {
    let source = read("crates/fake-asana/src/config.rs");
    let list = source
        .split("switches! {")
        .nth(1)
        .expect("the switches! invocation")
        .split("\n}\n")
        .next()
        .unwrap();
    let mut out = Vec::new();
    let mut doc: Vec<&str> = Vec::new();
    for line in list.lines().map(str::trim) {
        if let Some(text) = line.strip_prefix("///") {
            doc.push(text.trim());
        } else if let Some((_, rest)) = line.split_once(" = \"") {
            let (name, rest) = rest.split_once('"').unwrap();
            let on = rest.contains("asana: true");
            out.push((name.to_owned(), on, doc.join(" ")));
            doc.clear();
        }
    }
    out
}

/// `(name, on, text)` for each row of the README's fidelity-switch table.
fn switches_in_readme() -> Vec<(String, bool, String)> {
    let readme = read("README.md");
    let section = readme
        .split("### Fidelity switches")
        .nth(1)
        .expect("the README has a fidelity-switch table");
    section
        .lines()
        .skip_while(|l| !l.starts_with("| switch"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|row| {
            let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
            (
                cells[0].trim_matches('`').to_owned(),
                cells[1] == "on",
                cells[2..].join(" | "),
            )
        })
        .collect()
}

/// With `ASANA_HARNESS_BLESS=1`, writes the README's switch table from the code: a new switch's
/// row is generated, not written by hand.
fn bless_readme_table(code: &[(String, bool, String)]) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (head, section) = readme.split_once("### Fidelity switches").unwrap();
    let start = section.find("| switch").unwrap();
    let rows_start = start + section[start..].find("\n|---").unwrap() + 1;
    let rows_start = rows_start + section[rows_start..].find('\n').unwrap() + 1;
    let rows_end = rows_start
        + section[rows_start..]
            .lines()
            .take_while(|l| l.starts_with('|'))
            .map(|l| l.len() + 1)
            .sum::<usize>();
    let rows: String = code
        .iter()
        .map(|(name, on, doc)| {
            format!(
                "| `{name}` | {} | {doc} |\n",
                if *on { "on" } else { "off" }
            )
        })
        .collect();
    let section = format!("{}{rows}{}", &section[..rows_start], &section[rows_end..]);
    std::fs::write(&path, format!("{head}### Fidelity switches{section}")).unwrap();
}

#[test]
fn the_readme_switch_table_is_the_switch_list() {
    let code = switches_in_code();
    if std::env::var_os("ASANA_HARNESS_BLESS").is_some_and(|v| v == "1") {
        bless_readme_table(&code);
    }
    let readme = switches_in_readme();
    assert_eq!(
        code.len(),
        fake_asana::Switch::ALL.len(),
        "the source parse"
    );
    let names = |v: &[(String, bool, String)]| v.iter().map(|s| s.0.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&readme),
        names(&code),
        "the same switches, in the same order (`ASANA_HARNESS_BLESS=1 cargo test --test cli docs` rewrites the table)"
    );
    for ((name, on, doc), (_, readme_on, text)) in code.iter().zip(&readme) {
        assert_eq!(on, readme_on, "{name}: on or off in the asana profile");
        assert_eq!(
            text, doc,
            "{name}: the README row is the switch's doc comment (`ASANA_HARNESS_BLESS=1 cargo test --test cli docs` rewrites the table)"
        );
    }
}
