//! The README's curl examples, run as written against a fresh `serve` (only the port differs,
//! so that tests can run in parallel).

use crate::Served;

/// The `curl` commands in the README's "Try it with curl" section, joined across `\` lines.
fn readme_curl_commands() -> Vec<String> {
    let readme = include_str!("../../README.md");
    let section = readme
        .split("## Try it with curl")
        .nth(1)
        .expect("the README has a curl section");
    let section = section.split("\n## ").next().unwrap();
    let mut commands = Vec::new();
    let mut in_block = false;
    let mut current = String::new();
    for line in section.lines() {
        if line.starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block || (current.is_empty() && !line.starts_with("curl ")) {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(head) => current.push_str(head),
            None => {
                current.push_str(line);
                commands.push(std::mem::take(&mut current));
            }
        }
    }
    commands
}

#[tokio::test]
async fn the_readme_curl_examples_work() {
    let commands = readme_curl_commands();
    assert!(commands.len() >= 5, "found {commands:?}");
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[]).await;
    let origin = served.credentials["asana"]["base_url"]
        .as_str()
        .unwrap()
        .trim_end_matches("/api/1.0")
        .to_owned();
    for command in commands {
        assert!(
            command.contains("-sf") || command.contains("-fs"),
            "examples fail loudly: {command}"
        );
        let command = command.replace("http://127.0.0.1:7480", &origin);
        let out = tokio::process::Command::new("sh")
            .args(["-c", &command])
            .output()
            .await
            .unwrap();
        assert!(
            out.status.success(),
            "{command}\nexit {:?}\n{}{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(served.terminate().await.success());
}
