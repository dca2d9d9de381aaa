//! `serve --state FILE`: both fakes' data in one file, restored on start and saved as it changes.
//!
//! The file holds users, teams, service accounts (token digests only), the OneLogin app's
//! settings (its Asana token in full: OneLogin must still be able to send it), and the task queue
//! with its pending approvals. Saving writes a temporary file beside the target, syncs it and
//! renames it over the target, so the file on disk is always a whole, earlier or later, save.
//!
//! Bound on loss: a save starts as soon as a change is made and includes every change finished
//! before it takes its snapshot; a crash loses only changes made after the last completed save,
//! that is the change in flight (or, under load, the changes made during one save).

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::BadInput;

const FORMAT: &str = "asana-harness state";
pub const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
pub struct Saved {
    pub format: String,
    pub version: u32,
    /// The fake Asana's SCIM URL when saved, so a restart on other ports can re-point OneLogin.
    #[serde(default)]
    pub asana_scim_url: Option<String>,
    pub asana: fake_asana::State,
    pub onelogin: fake_onelogin::State,
}

impl Saved {
    pub fn new(
        asana_scim_url: String,
        asana: fake_asana::State,
        onelogin: fake_onelogin::State,
    ) -> Saved {
        Saved {
            format: FORMAT.to_owned(),
            version: VERSION,
            asana_scim_url: Some(asana_scim_url),
            asana,
            onelogin,
        }
    }
}

/// Reads a state file. A missing file is a fresh start; a file that cannot be read as a state,
/// or that a newer version wrote, is an error: never a silent reset.
pub fn load(path: &Path) -> Result<Option<Saved>, BadInput> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(BadInput(format!(
                "cannot read the state file {}: {e}",
                path.display()
            )));
        }
    };
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        BadInput(format!(
            "the state file {} is corrupt ({e}); it was left as it is",
            path.display()
        ))
    })?;
    if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(BadInput(format!(
            "{} is not an asana-harness state file; it was left as it is",
            path.display()
        )));
    }
    let version = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
    if version > u64::from(VERSION) {
        return Err(BadInput(format!(
            "the state file {} was written by a newer asana-harness (state version {version}, this one reads {VERSION})",
            path.display()
        )));
    }
    serde_json::from_value(value).map(Some).map_err(|e| {
        BadInput(format!(
            "the state file {} is corrupt ({e}); it was left as it is",
            path.display()
        ))
    })
}

/// Writes the state atomically: temporary file, sync, rename.
pub fn save(path: &Path, saved: &Saved) -> std::io::Result<()> {
    let bytes = serde_json::to_vec_pretty(saved).map_err(std::io::Error::other)?;
    let tmp = path.with_extension("tmp");
    {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(dir) = std::fs::File::open(dir)
    {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrupt_foreign_and_newer_files_are_errors_and_missing_is_fresh() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        assert!(load(&path).unwrap().is_none());
        std::fs::write(&path, b"{ not json").unwrap();
        assert!(load(&path).unwrap_err().0.contains("corrupt"));
        std::fs::write(&path, br#"{"hello": 1}"#).unwrap();
        assert!(
            load(&path)
                .unwrap_err()
                .0
                .contains("not an asana-harness state file")
        );
        std::fs::write(
            &path,
            br#"{"format": "asana-harness state", "version": 99}"#,
        )
        .unwrap();
        assert!(load(&path).unwrap_err().0.contains("newer"));
        assert_eq!(
            std::fs::read(&path).unwrap(),
            br#"{"format": "asana-harness state", "version": 99}"#,
            "left as it is"
        );
    }
}
