//! The signature and digest algorithms, by the URIs XML-DSig names them with.

/// The RSA signature methods OneLogin's SSO tab offers (fidelity/saml §2: SHA-1 on older
/// connectors, SHA-256 where admins switch it, and the longer SHA-2 digests beside them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureAlgorithm {
    RsaSha1,
    #[default]
    RsaSha256,
    RsaSha384,
    RsaSha512,
}

impl SignatureAlgorithm {
    pub const ALL: [SignatureAlgorithm; 4] = [
        Self::RsaSha1,
        Self::RsaSha256,
        Self::RsaSha384,
        Self::RsaSha512,
    ];

    pub fn uri(self) -> &'static str {
        match self {
            Self::RsaSha1 => "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
            Self::RsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            Self::RsaSha384 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
            Self::RsaSha512 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
        }
    }

    /// The digest of the same family, for the Reference (XML-DSig 1.1 and RFC 6931's URIs).
    pub fn digest_uri(self) -> &'static str {
        match self {
            Self::RsaSha1 => "http://www.w3.org/2000/09/xmldsig#sha1",
            Self::RsaSha256 => "http://www.w3.org/2001/04/xmlenc#sha256",
            Self::RsaSha384 => "http://www.w3.org/2001/04/xmldsig-more#sha384",
            Self::RsaSha512 => "http://www.w3.org/2001/04/xmlenc#sha512",
        }
    }

    pub fn from_uri(uri: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.uri() == uri)
    }

    pub fn from_digest_uri(uri: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.digest_uri() == uri)
    }

    pub(crate) fn digest(self, data: &[u8]) -> Vec<u8> {
        use rsa::sha2::{Digest as _, Sha256, Sha384, Sha512};
        match self {
            Self::RsaSha1 => sha1::Sha1::digest(data).to_vec(),
            Self::RsaSha256 => Sha256::digest(data).to_vec(),
            Self::RsaSha384 => Sha384::digest(data).to_vec(),
            Self::RsaSha512 => Sha512::digest(data).to_vec(),
        }
    }
}
