//! The shape of the code, checked so it cannot drift: files a newcomer can hold, modules that
//! import one way, and a code map in ARCHITECTURE.md that names exactly the files there are.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 500;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every source file of the workspace's crates, as (crate, path relative to its `src/`).
/// The root package is crate `""`.
fn sources() -> Vec<(String, PathBuf)> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path.strip_prefix(base).unwrap().to_owned());
            }
        }
    }
    let mut all = Vec::new();
    let mut crates: Vec<(String, PathBuf)> = vec![(String::new(), root().join("src"))];
    for entry in std::fs::read_dir(root().join("crates")).unwrap() {
        let dir = entry.unwrap().path();
        if dir.join("src").is_dir() {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            crates.push((name, dir.join("src")));
        }
    }
    for (name, src) in crates {
        let mut files = Vec::new();
        walk(&src, &src, &mut files);
        all.extend(files.into_iter().map(|f| (name.clone(), f)));
    }
    all.sort();
    all
}

fn read(krate: &str, file: &Path) -> String {
    let src = if krate.is_empty() {
        root().join("src")
    } else {
        root().join("crates").join(krate).join("src")
    };
    std::fs::read_to_string(src.join(file)).unwrap()
}

/// The code before a file's test module: tests may stay beside their code.
fn code(text: &str) -> &str {
    text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text)
}

#[test]
fn no_source_file_is_longer_than_a_newcomer_can_hold() {
    let long: Vec<String> = sources()
        .into_iter()
        .filter_map(|(krate, file)| {
            let lines = code(&read(&krate, &file)).lines().count();
            (lines > MAX_LINES).then(|| format!("{krate}/src/{} ({lines} lines)", file.display()))
        })
        .collect();
    assert!(long.is_empty(), "over {MAX_LINES} lines: {long:?}");
}

/// A file's module path: `store/users.rs` is `["store", "users"]`, `store/mod.rs` and `lib.rs`
/// drop their file name.
fn module_of(file: &Path) -> Vec<String> {
    let mut parts: Vec<String> = file
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The modules each module imports with `use` (`crate::`, `super::`, `self::` or a child's
/// name), each resolved to the longest module path that exists.
fn imports(krate: &str, files: &[PathBuf]) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(f)).collect();
    let mut graph = BTreeMap::new();
    for file in files {
        let me = module_of(file);
        let text = read(krate, file);
        let mut targets = BTreeSet::new();
        for line in code(&text).lines() {
            let line = line.trim_start();
            let line = line
                .strip_prefix("pub(crate) ")
                .or_else(|| line.strip_prefix("pub(super) "))
                .or_else(|| line.strip_prefix("pub "))
                .unwrap_or(line);
            let Some(path) = line.strip_prefix("use ") else {
                continue;
            };
            let segments: Vec<&str> = path
                .split("::")
                .map(|s| s.trim_end_matches(';'))
                .take_while(|s| s.chars().all(|c| c.is_alphanumeric() || c == '_'))
                .collect();
            let mut target: Vec<String> = match segments.first() {
                Some(&"crate") => segments[1..].iter().map(|s| s.to_string()).collect(),
                Some(&"super") | Some(&"self") => {
                    let mut base = me.clone();
                    let mut rest = &segments[..];
                    while let Some(&"super") = rest.first() {
                        base.pop();
                        rest = &rest[1..];
                    }
                    if let Some(&"self") = rest.first() {
                        rest = &rest[1..];
                    }
                    base.extend(rest.iter().map(|s| s.to_string()));
                    base
                }
                Some(first) => {
                    let mut child = me.clone();
                    child.push(first.to_string());
                    if !modules.contains(&child) {
                        continue;
                    }
                    child.extend(segments[1..].iter().map(|s| s.to_string()));
                    child
                }
                None => continue,
            };
            while !target.is_empty() && !modules.contains(&target) {
                target.pop();
            }
            if target != me && modules.contains(&target) {
                targets.insert(target);
            }
        }
        graph.insert(me, targets);
    }
    graph
}

#[test]
fn no_two_modules_of_a_crate_import_each_other() {
    let sources = sources();
    let crates: BTreeSet<&str> = sources.iter().map(|(k, _)| k.as_str()).collect();
    let mut cycles = Vec::new();
    for krate in crates {
        let files: Vec<PathBuf> = sources
            .iter()
            .filter(|(k, _)| k == krate)
            .map(|(_, f)| f.clone())
            .collect();
        let graph = imports(krate, &files);
        for (a, targets) in &graph {
            for b in targets {
                if a < b && graph.get(b).is_some_and(|t| t.contains(a)) {
                    cycles.push(format!("{krate}: {} <-> {}", a.join("::"), b.join("::")));
                }
            }
        }
    }
    assert!(
        cycles.is_empty(),
        "modules that import each other: {cycles:?}"
    );
}

/// ARCHITECTURE.md's code map, a section per crate: the text after each `### ` heading.
fn code_map() -> BTreeMap<String, String> {
    let doc = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let mut sections = BTreeMap::new();
    for section in doc.split("\n### ").skip(1) {
        let heading = section.lines().next().unwrap_or_default();
        let krate = if heading.contains("root package") {
            String::new()
        } else if let Some(rest) = heading.strip_prefix("`crates/") {
            rest.split('`').next().unwrap_or_default().to_owned()
        } else {
            continue;
        };
        sections.insert(krate, section.to_owned());
    }
    sections
}

fn ticked(text: &str) -> BTreeSet<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

#[test]
fn the_code_map_names_every_file_and_no_other() {
    let map = code_map();
    let sources = sources();
    let mut unnamed = Vec::new();
    for (krate, file) in &sources {
        let section = map.get(krate).map(String::as_str).unwrap_or_default();
        let ticks = ticked(section);
        let rel = file.to_string_lossy().replace('\\', "/");
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let dir = file
            .parent()
            .and_then(|d| d.file_name())
            .map(|d| format!("{}/", d.to_string_lossy()));
        let named = ticks.contains(rel.as_str())
            || ticks.contains(format!("src/{rel}").as_str())
            || (ticks.contains(name.as_str())
                && dir
                    .as_deref()
                    .is_none_or(|d| ticks.iter().any(|t| t.contains(d))));
        if !named {
            unnamed.push(format!("{krate}/src/{rel}"));
        }
    }
    assert!(
        unnamed.is_empty(),
        "files ARCHITECTURE.md does not name: {unnamed:?}"
    );

    let mut missing = Vec::new();
    for (krate, section) in &map {
        let base = if krate.is_empty() {
            root()
        } else {
            root().join("crates").join(krate)
        };
        for t in ticked(section).into_iter().filter(|t| t.ends_with(".rs")) {
            let exists = [base.join("src").join(t), base.join(t), root().join(t)]
                .iter()
                .any(|p| p.exists())
                || (!t.contains('/')
                    && sources
                        .iter()
                        .any(|(k, f)| k == krate && f.file_name().is_some_and(|n| n == t)));
            if !exists {
                missing.push(format!("{krate}: {t}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names files that do not exist: {missing:?}"
    );
}

/// Whether `code` names `variant` as a whole identifier, other than as another enum's variant
/// (`TaskAction::Deny` is not the step `Deny`).
fn names_variant(code: &str, variant: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    code.match_indices(variant).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + variant.len()..].chars().next();
        let other_enum = code[..at].ends_with("::") && !code[..at].ends_with("Step::");
        !before.is_some_and(ident) && !after.is_some_and(ident) && !other_enum
    })
}

/// The step names of the scenario format, from its committed JSON schema.
fn step_names() -> Vec<String> {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("scenarios/scenario.schema.json")).unwrap(),
    )
    .unwrap();
    let steps = schema["definitions"]["Step"]["oneOf"].as_array().unwrap();
    let names: Vec<String> = steps
        .iter()
        .flat_map(|v| {
            v["properties"]
                .as_object()
                .into_iter()
                .flat_map(|p| p.keys().cloned())
        })
        .collect();
    assert!(names.len() > 30, "the schema lists {} steps", names.len());
    names
}

fn camel(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// Adding a step touches its family file and the dispatch: no other file of the scenario crate
/// names it (as its variant, or as a file named after it). References as another enum's variant
/// (`TaskAction::Deny`) are not the step.
#[test]
fn each_step_is_named_in_its_family_file_and_the_dispatch_only() {
    let files: Vec<PathBuf> = sources()
        .into_iter()
        .filter(|(k, _)| k == "scenario")
        .map(|(_, f)| f)
        .collect();
    let mut spread = Vec::new();
    for step in step_names() {
        let variant = camel(&step);
        let naming: Vec<String> = files
            .iter()
            .filter(|file| {
                let stem = file.file_stem().unwrap().to_string_lossy();
                stem == step || names_variant(code(&read("scenario", file)), &variant)
            })
            .map(|f| f.display().to_string())
            .collect();
        if naming.len() > 2 {
            spread.push(format!("{step}: {naming:?}"));
        }
    }
    assert!(
        spread.is_empty(),
        "steps named in more than two files: {spread:#?}"
    );
}

/// The fidelity switches are decided by the store: only `store/` and the config module that
/// defines them read them.
#[test]
fn only_the_store_and_the_config_read_a_switch() {
    let readers: Vec<String> = sources()
        .into_iter()
        .filter(|(k, f)| {
            k == "fake-asana"
                && !f.starts_with("store")
                && f != Path::new("config.rs")
                && code(&read(k, f)).contains("Switch::")
        })
        .map(|(k, f)| format!("{k}/src/{}", f.display()))
        .collect();
    assert!(
        readers.is_empty(),
        "switches read outside store/ and config.rs: {readers:?}"
    );
}

/// Libraries return typed errors; a `String` error is for the binary's edge.
#[test]
fn no_library_signature_returns_a_string_error() {
    let mut found = Vec::new();
    for (krate, file) in sources() {
        if krate.is_empty() || krate == "xtask" {
            continue;
        }
        let text = read(&krate, &file);
        let code = code(&text);
        for (at, _) in code.match_indices("fn ").chain(code.match_indices("type ")) {
            let rest = &code[at..];
            let end = rest.find(['{', ';']).unwrap_or(rest.len());
            let signature: String = rest[..end].split_whitespace().collect::<Vec<_>>().join(" ");
            if signature.contains("Result<")
                && (signature.contains(", String>") || signature.contains(",String>"))
            {
                let line = code[..at].lines().count() + 1;
                found.push(format!("{krate}/src/{}:{line}", file.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "Result<_, String> in library signatures: {found:#?}"
    );
}

/// ARCHITECTURE.md's change recipes name the files an ordinary change touches, fewer than four,
/// and each of them exists.
#[test]
fn the_change_recipes_name_fewer_than_four_files() {
    let doc = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    for recipe in ["Add a scenario step", "Add a fidelity switch"] {
        let heading = format!("\n### {recipe}\n");
        let at = doc
            .find(&heading)
            .unwrap_or_else(|| panic!("no recipe `{recipe}`"));
        let body = &doc[at + heading.len()..];
        let body = &body[..body.find("\n#").unwrap_or(body.len())];
        let files: BTreeSet<&str> = ticked(body)
            .into_iter()
            .filter(|t| t.contains('/') && !t.starts_with('/') && !t.contains(' '))
            .collect();
        assert!(
            (1..4).contains(&files.len()),
            "`{recipe}` names {} files: {files:?}",
            files.len()
        );
        for file in files.iter().filter(|f| !f.contains(['<', '*'])) {
            assert!(
                root().join(file).exists(),
                "`{recipe}` names {file}, which does not exist"
            );
        }
    }
}
