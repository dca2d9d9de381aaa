//! Why a fake OneLogin could not start: the one error its builder returns.

/// Why a fake OneLogin could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot bind {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("cannot restore the saved OneLogin state: {0}")]
    State(crate::store::StoreError),
    #[error("the OneLogin directory does not fit together: {0}")]
    Directory(crate::seed::DirectoryError),
    #[error("the IdP signing key cannot be used: {0}")]
    IdpKey(String),
    #[error("the CA certificate cannot be used: {0}")]
    Certificate(String),
}
