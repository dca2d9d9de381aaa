//! The README's curl examples, run as written against a fresh `serve` (only the ports differ, so
//! that tests can run in parallel). Each `sh` block of a "with curl" section is one script.

use crate::Served;

/// The `sh` blocks of every README section whose heading says "with curl".
fn readme_scripts() -> Vec<String> {
    let readme = include_str!("../../README.md");
    let mut scripts = Vec::new();
    for section in readme
        .split("\n## ")
        .filter(|s| s.lines().next().is_some_and(|h| h.contains("with curl")))
    {
        let mut in_block = false;
        let mut script = String::new();
        for line in section.lines() {
            if line.starts_with("```") {
                if in_block {
                    scripts.push(std::mem::take(&mut script));
                }
                in_block = !in_block && line == "```sh";
                continue;
            }
            if in_block {
                script.push_str(line);
                script.push('\n');
            }
        }
    }
    scripts
}

#[tokio::test]
async fn the_readme_curl_examples_work() {
    let scripts = readme_scripts();
    assert!(scripts.len() >= 5, "found {scripts:?}");
    for script in &scripts {
        for line in script
            .lines()
            .filter(|l| l.trim_start().starts_with("curl ") || l.contains("$(curl "))
        {
            assert!(line.contains("-sf"), "examples fail loudly: {line}");
        }
    }
    for script in scripts {
        // A fresh harness per script: each starts from the state the README describes.
        let dir = tempfile::tempdir().unwrap();
        let served = Served::start(dir.path(), &[]).await;
        let asana = served.asana_origin();
        let onelogin = served.onelogin_origin();
        let script = script
            .replace("http://127.0.0.1:7480", &asana)
            .replace("http://127.0.0.1:7481", &onelogin);
        let out = tokio::process::Command::new("sh")
            .args(["-ec", &script])
            .output()
            .await
            .unwrap();
        assert!(
            out.status.success(),
            "{script}\nexit {:?}\n{}{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(served.terminate().await.success());
    }
}
