//! The HAR file as the proxy keeps it: a complete HAR 1.2 document at every moment between
//! exchanges. Each exchange is appended as it completes, before its answer goes back to the
//! client, by overwriting the closing brackets: the cost of an exchange does not grow with the
//! capture, and stopping the proxy in any way but mid-write (Ctrl-C, SIGTERM, a closed
//! terminal) leaves a file every HAR reader opens.

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::Path;

use serde_json::{Value, json};

/// What closes the entries array and the document.
const TRAILER: &[u8] = b"\n]}}\n";

/// The capture's file, open for appending entries.
#[derive(Debug)]
pub struct HarFile {
    file: File,
    /// Where the trailer starts.
    end: u64,
    entries: usize,
}

impl HarFile {
    /// Creates (or truncates) the file with no entries yet; `comment` is the log's.
    pub fn create(path: &Path, creator: &str, comment: &str) -> io::Result<HarFile> {
        let mut doc = harness_server::har::har(creator, &[]);
        let log = doc["log"].as_object_mut().expect("a HAR log is an object");
        log.remove("entries");
        log.insert("comment".into(), json!(comment));
        let head = serde_json::to_string(&doc["log"])?;
        // `{"log":{...` without its closing brace, then the entries array.
        let head = format!(
            "{{\"log\":{},\"entries\":[",
            head.strip_suffix('}').unwrap_or(&head)
        );
        let mut file = File::create(path)?;
        file.write_all(head.as_bytes())?;
        file.write_all(TRAILER)?;
        file.flush()?;
        Ok(HarFile {
            file,
            end: head.len() as u64,
            entries: 0,
        })
    }

    /// Appends one entry, leaving a complete document behind.
    pub fn append(&mut self, entry: &Value) -> io::Result<()> {
        let mut chunk = Vec::with_capacity(1024);
        chunk.extend_from_slice(if self.entries == 0 { b"\n" } else { b",\n" });
        serde_json::to_writer(&mut chunk, entry)?;
        self.file.seek(SeekFrom::Start(self.end))?;
        self.file.write_all(&chunk)?;
        self.file.write_all(TRAILER)?;
        self.file.flush()?;
        self.end += chunk.len() as u64;
        self.entries += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_a_complete_har_before_and_after_each_entry() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.har");
        let mut file = HarFile::create(&path, "test", "upstream: https://x").unwrap();
        let read = || -> Value { serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap() };
        let empty = read();
        assert_eq!(empty["log"]["version"], "1.2");
        assert_eq!(empty["log"]["comment"], "upstream: https://x");
        assert_eq!(empty["log"]["entries"], json!([]));
        for n in 1..=3 {
            file.append(&json!({"n": n, "text": "a\nb ]}}"})).unwrap();
            let doc = read();
            let entries = doc["log"]["entries"].as_array().unwrap();
            assert_eq!(entries.len(), n);
            assert_eq!(entries[n - 1]["n"], n);
        }
    }
}
