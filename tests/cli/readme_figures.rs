//! The counts the README states, held to what they count: a figure written once goes stale the
//! day a scenario or a probe check is added. (Timings are stated as measured ranges with where
//! they were measured, in the README and PERFORMANCE.md, and not asserted: they depend on the
//! machine.)

use std::path::Path;

use crate::readme::readme;

/// The number written just before `phrase` in `text` (digits, or a number word up to twelve).
pub fn stated(text: &str, phrase: &str) -> usize {
    let at = text
        .find(phrase)
        .unwrap_or_else(|| panic!("the README no longer says {phrase:?}"));
    let word = text[..at]
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or_default();
    const WORDS: [&str; 13] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve",
    ];
    word.parse()
        .ok()
        .or_else(|| WORDS.iter().position(|w| w.eq_ignore_ascii_case(word)))
        .unwrap_or_else(|| panic!("no number before {phrase:?}: {word:?}"))
}

fn yaml_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| match p.is_dir() {
            true => yaml_files(&p),
            false => usize::from(p.extension().is_some_and(|e| e == "yaml")),
        })
        .sum()
}

#[test]
fn the_scenario_count_is_the_library() {
    let library = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    assert_eq!(
        stated(readme(), " scenarios, one folder per concern"),
        yaml_files(&library),
        "README.md: the number of scenarios in `scenarios/`"
    );
}

#[test]
fn the_probe_count_is_its_checks() {
    assert_eq!(
        stated(readme(), " behaviours match;"),
        harness_probe::Check::ALL.len(),
        "README.md: how many behaviours `probe` checks"
    );
}

#[test]
fn the_demo_directory_count_is_the_fixture() {
    let fixture = include_str!("../../fixtures/demo-onelogin.yaml");
    let people = fixture
        .lines()
        .skip_while(|l| *l != "users:")
        .skip(1)
        .take_while(|l| l.starts_with("  - "))
        .count();
    assert_eq!(
        stated(readme(), " demo people ("),
        people,
        "README.md: the people of `serve`'s demo OneLogin directory"
    );
}

#[test]
fn numbers_are_read_as_written() {
    assert_eq!(stated("the library (97 scenarios, one", " scenarios,"), 97);
    assert_eq!(stated("with ten demo people (Ada", " demo people ("), 10);
}
