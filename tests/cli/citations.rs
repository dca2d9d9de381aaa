//! Citations of facts lead somewhere: every `fidelity/<file> §<section>` in the code, the
//! scenarios, the schemas and the docs names a section heading of `docs/fidelity/<file>.md`,
//! and no citation is left in a form that points outside the repository.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The files of the fidelity reference that may be cited.
const FILES: [&str; 3] = ["asana", "onelogin", "saml"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The section numbers of a fidelity file: the `§1.4` of each `## §1.4 Title` heading.
fn sections(file: &str) -> BTreeSet<String> {
    let path = root().join("docs/fidelity").join(format!("{file}.md"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let mut out = BTreeSet::new();
    for line in text.lines().filter(|l| l.starts_with('#')) {
        let heading = line.trim_start_matches('#').trim_start();
        if let Some(rest) = heading.strip_prefix('§') {
            let number = section_number(rest);
            assert!(
                !number.is_empty() && rest[number.len()..].starts_with(' '),
                "{file}.md: a heading's section number is digits and dots, then a title: {line}"
            );
            assert!(
                out.insert(number.to_owned()),
                "{file}.md: §{number} is the heading of two sections"
            );
        }
    }
    out
}

fn reference() -> BTreeMap<&'static str, BTreeSet<String>> {
    FILES.iter().map(|f| (*f, sections(f))).collect()
}

/// `1.4` from `1.4 (…`, `5.1.` or `7,`: digits separated by single dots.
fn section_number(text: &str) -> &str {
    let bytes = text.as_bytes();
    let mut end = 0;
    while end < bytes.len() && bytes[end].is_ascii_digit() {
        end += 1;
        if end + 1 < bytes.len() && bytes[end] == b'.' && bytes[end + 1].is_ascii_digit() {
            end += 1;
        }
    }
    &text[..end]
}

/// Every text file of the repository outside build output and version control.
fn text_files() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy();
            if path.is_dir() {
                if !matches!(name.as_ref(), "target" | "node_modules" | ".git") {
                    walk(&path, out);
                }
            } else {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(&root(), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| {
            let text = String::from_utf8(std::fs::read(&p).ok()?).ok()?;
            Some((p.strip_prefix(root()).unwrap().to_owned(), text))
        })
        .collect()
}

/// Skips what may stand between a file name and its first `§` when a citation wraps: spaces,
/// one line break and the next line's comment marker.
fn skip_wrap(text: &str) -> &str {
    let text = text.trim_start_matches([' ', '\t']);
    let Some(next) = text.strip_prefix('\n') else {
        return text;
    };
    let next = next.trim_start_matches([' ', '\t']);
    let next = ["///", "//!", "//", "#"]
        .iter()
        .find_map(|marker| next.strip_prefix(marker))
        .unwrap_or(next);
    next.trim_start_matches([' ', '\t'])
}

/// A citation found in a file: the cited file, its section, the line it is on.
struct Citation {
    file: String,
    section: String,
    line: usize,
}

/// The citations of one text: `fidelity/<file> §a`, then any `, §b`, ` and §c`, `, and §d`.
fn citations(text: &str) -> Vec<Citation> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("fidelity/") {
        let after = &text[at + "fidelity/".len()..];
        let name_len = after
            .find(|c: char| !c.is_ascii_lowercase() && c != '-' && c != '_')
            .unwrap_or(after.len());
        let (file, rest) = after.split_at(name_len);
        let Some(mut rest) = skip_wrap(rest).strip_prefix('§') else {
            continue; // a path such as docs/fidelity/asana.md, not a citation
        };
        let line = text[..at].matches('\n').count() + 1;
        loop {
            let number = section_number(rest);
            out.push(Citation {
                file: file.to_owned(),
                section: number.to_owned(),
                line,
            });
            rest = &rest[number.len()..];
            let Some(next) = [", and §", ", §", " and §"]
                .iter()
                .find_map(|joint| rest.strip_prefix(joint))
            else {
                break;
            };
            rest = next;
        }
    }
    out
}

#[test]
fn every_fidelity_citation_names_a_section() {
    let reference = reference();
    let mut found = 0;
    let mut broken = Vec::new();
    for (path, text) in text_files() {
        for c in citations(&text) {
            found += 1;
            let resolves = reference
                .get(c.file.as_str())
                .is_some_and(|sections| sections.contains(&c.section));
            if !resolves {
                broken.push(format!(
                    "{}:{}: fidelity/{} §{}",
                    path.display(),
                    c.line,
                    c.file,
                    c.section
                ));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "citations that name no heading under docs/fidelity/:\n{}",
        broken.join("\n")
    );
    assert!(
        found > 150,
        "only {found} citations found: is the scan reading the repository?"
    );
}

#[test]
fn the_probe_cites_sections_of_the_asana_reference() {
    let sections = sections("asana");
    let mut rows = 0;
    for check in harness_probe::Check::ALL {
        rows += 1;
        let cited = check.fact();
        for section in cited.split(", ") {
            let number = section
                .strip_prefix('§')
                .unwrap_or_else(|| panic!("a probe check cites {section:?}, not a § section"));
            assert!(
                sections.contains(number),
                "a probe check cites §{number}, which is no heading of docs/fidelity/asana.md"
            );
        }
    }
    assert!(rows > 10, "only {rows} rows in the probe's check table");
}

#[test]
fn no_citation_points_outside_the_repository() {
    // Spelled in pieces so that this file does not match itself.
    let old = [
        ["asana", "-facts"].concat(),
        ["onelogin", "-facts"].concat(),
        ["design", " §"].concat(),
    ];
    let mut stale = Vec::new();
    for (path, text) in text_files() {
        for (n, line) in text.lines().enumerate() {
            if let Some(form) = old.iter().find(|form| line.contains(form.as_str())) {
                stale.push(format!("{}:{}: {form}", path.display(), n + 1));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "citations of documents that are not in the repository (cite docs/fidelity/ or the \
         README's headings instead):\n{}",
        stale.join("\n")
    );
}

#[test]
fn the_parser_reads_chains_and_wrapped_lines() {
    let text = "a (fidelity/asana §1.2, §1.6; b) c fidelity/saml §2 and §1.\n\
                /// d (fidelity/onelogin\n/// §4, S7) docs/fidelity/asana.md";
    let got: Vec<(String, String, usize)> = citations(text)
        .into_iter()
        .map(|c| (c.file, c.section, c.line))
        .collect();
    let want = [
        ("asana", "1.2", 1),
        ("asana", "1.6", 1),
        ("saml", "2", 1),
        ("saml", "1", 1),
        ("onelogin", "4", 2),
    ];
    assert_eq!(
        got,
        want.map(|(f, s, l)| (f.to_owned(), s.to_owned(), l))
            .to_vec()
    );
}
