//! The README as a test. Every fenced shell block (`sh`, `bash`, `shell`, `console`) runs, in the
//! order a reader meets it, against ONE fresh `serve` (only the ports differ, so that tests can
//! run in parallel), and must succeed: a block that changes the fakes must leave them so that the
//! next still works, as it would for a reader going down the page. A block that builds or tests
//! the project itself, or starts its own harness, opens with the visible line
//! `# not run by the README test: <why>`; an unmarked block the test cannot run fails it.

use crate::Served;

/// The first line of a shell block this test does not run, followed by the reason.
pub const NOT_RUN: &str = "# not run by the README test: ";

/// The fence languages that are shell: each such block is run or visibly marked.
const SHELLS: [&str; 4] = ["sh", "bash", "shell", "console"];

/// The addresses `serve` listens on by default, which the README's commands name.
const ASANA: &str = "127.0.0.1:7480";
const ONELOGIN: &str = "127.0.0.1:7481";

pub fn readme() -> &'static str {
    include_str!("../../README.md")
}

/// A fenced block of the README: its language, the line its fence opens on, its text.
#[derive(Debug)]
pub struct Block {
    pub lang: String,
    pub line: usize,
    pub text: String,
}

impl Block {
    fn is_shell(&self) -> bool {
        SHELLS.contains(&self.lang.as_str())
    }

    /// Why the block is not run, when its first line says so.
    fn not_run(&self) -> Option<&str> {
        self.text.lines().next()?.strip_prefix(NOT_RUN)
    }

    /// The script to run: a `console` block's commands are its `$ ` lines, the rest is output.
    fn script(&self) -> String {
        if self.lang != "console" {
            return self.text.clone();
        }
        self.text
            .lines()
            .filter_map(|l| l.strip_prefix("$ "))
            .map(|l| format!("{l}\n"))
            .collect()
    }
}

/// Every fenced block of `markdown`, in order. An unterminated fence is a test failure.
pub fn blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in markdown.lines().enumerate() {
        let Some(info) = line.strip_prefix("```") else {
            if let Some(block) = open.as_mut() {
                block.text.push_str(line);
                block.text.push('\n');
            }
            continue;
        };
        match open.take() {
            Some(block) => blocks.push(block),
            None => {
                open = Some(Block {
                    lang: info.trim().to_owned(),
                    line: i + 1,
                    text: String::new(),
                })
            }
        }
    }
    assert!(open.is_none(), "a fence never closes: {open:?}");
    blocks
}

/// The README's shell blocks that run against `serve`, checked for what running them needs.
fn runnable() -> Vec<Block> {
    let all = blocks(readme());
    for block in &all {
        assert!(
            !block.lang.is_empty(),
            "README.md:{}: a fence without a language; name it (sh, yaml, rust, text...) so the \
             README test knows whether it is a shell block",
            block.line
        );
    }
    let (skipped, run): (Vec<Block>, Vec<Block>) = all
        .into_iter()
        .filter(Block::is_shell)
        .partition(|b| b.not_run().is_some());
    for block in &skipped {
        let why = block.not_run().unwrap_or_default();
        assert!(
            why.trim().len() > 5,
            "README.md:{}: say why the block is not run",
            block.line
        );
    }
    for block in &run {
        assert!(
            block.text.contains(ASANA) || block.text.contains(ONELOGIN),
            "README.md:{}: a shell block that talks to no running harness; the README test \
             runs every shell block against `serve`, so mark it: a first line `{NOT_RUN}<why>`",
            block.line
        );
        for line in block
            .text
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
        {
            assert!(
                !line.contains("curl ") || line.contains("curl -sf"),
                "README.md:{}: examples fail loudly (`curl -sf`): {line}",
                block.line
            );
        }
    }
    run
}

#[test]
fn every_shell_block_is_run_or_says_why_not() {
    let run = runnable();
    assert!(run.len() >= 7, "found {run:?}");
    let skipped = blocks(readme())
        .into_iter()
        .filter(|b| b.is_shell() && b.not_run().is_some())
        .count();
    assert!(
        skipped >= 4,
        "the build, container, fuzzing and compliance blocks"
    );
}

#[tokio::test]
async fn the_readme_shell_blocks_work_in_order_on_one_serve() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[]).await;
    let asana = served.asana_origin();
    let onelogin = served.onelogin_origin();
    let authority = |origin: &str| origin.trim_start_matches("http://").to_owned();
    let (asana, onelogin) = (authority(&asana), authority(&onelogin));
    // The README's commands call `asana-harness` as an installed reader would: this build's.
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_asana-harness"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    for block in runnable() {
        let script = block
            .script()
            .replace(ASANA, &asana)
            .replace(ONELOGIN, &onelogin);
        let shell = if block.lang == "bash" { "bash" } else { "sh" };
        let out = tokio::process::Command::new(shell)
            .args(["-ec", &script])
            .env("PATH", &path)
            .output()
            .await
            .unwrap();
        assert!(
            out.status.success(),
            "README.md:{} failed after the blocks above it ran:\n{script}\nexit {:?}\n{}{}",
            block.line,
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(served.terminate().await.success());
}

#[test]
fn blocks_are_read_with_their_language_and_line() {
    let text = "a\n```sh\n# not run by the README test: builds it\ncargo build\n```\n\
                ```console\n$ curl -sf x\nout\n```\n";
    let found = blocks(text);
    assert_eq!(found.len(), 2);
    assert_eq!((found[0].lang.as_str(), found[0].line), ("sh", 2));
    assert_eq!(found[0].not_run(), Some("builds it"));
    assert_eq!(found[1].script(), "curl -sf x\n");
    assert!(found[1].not_run().is_none());
}
