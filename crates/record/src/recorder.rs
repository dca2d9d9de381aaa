//! The capture in progress: the HAR file, the credentials seen so far and, with
//! `--pseudonymize`, the people learned so far, behind one lock so that entries are written
//! whole and in the order their exchanges completed.

use std::path::Path;
use std::sync::Mutex;

use crate::entry::{self, Exchange};
use crate::harfile::HarFile;
use crate::pseudonym::Pseudonyms;
use crate::secrets::Secrets;

/// Who wrote the capture, as its `log.creator.name` says.
pub const CREATOR: &str = "asana-harness record";

#[derive(Debug)]
pub struct Recorder {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    file: HarFile,
    secrets: Secrets,
    pseudonyms: Option<Pseudonyms>,
}

impl Recorder {
    /// Starts the capture: the file exists, with no entries, before the first request.
    pub fn create(path: &Path, comment: &str, pseudonymize: bool) -> std::io::Result<Recorder> {
        Ok(Recorder {
            inner: Mutex::new(Inner {
                file: HarFile::create(path, CREATOR, comment)?,
                secrets: Secrets::default(),
                pseudonyms: pseudonymize.then(Pseudonyms::default),
            }),
        })
    }

    /// Appends one exchange. A failed write is logged and the proxy goes on forwarding: the
    /// client's traffic matters more than the capture.
    pub fn record(&self, exchange: &Exchange) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let Inner {
            file,
            secrets,
            pseudonyms,
        } = &mut *inner;
        let entry = entry::build(exchange, secrets, pseudonyms.as_mut());
        if let Err(e) = file.append(&entry) {
            tracing::error!("cannot write the capture: {e}; this exchange is missing from it");
        }
    }
}
