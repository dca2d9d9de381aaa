//! The signature and digest algorithms, by the URIs XML-DSig names them with.

/// The signature methods OneLogin offers (onelogin-facts §8: SHA-1 on older connectors,
/// SHA-256 where admins switch it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureAlgorithm {
    RsaSha1,
    #[default]
    RsaSha256,
}

impl SignatureAlgorithm {
    pub fn uri(self) -> &'static str {
        match self {
            SignatureAlgorithm::RsaSha1 => "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
            SignatureAlgorithm::RsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        }
    }

    pub fn digest_uri(self) -> &'static str {
        match self {
            SignatureAlgorithm::RsaSha1 => "http://www.w3.org/2000/09/xmldsig#sha1",
            SignatureAlgorithm::RsaSha256 => "http://www.w3.org/2001/04/xmlenc#sha256",
        }
    }

    pub fn from_uri(uri: &str) -> Option<Self> {
        [Self::RsaSha1, Self::RsaSha256]
            .into_iter()
            .find(|a| a.uri() == uri)
    }

    pub fn from_digest_uri(uri: &str) -> Option<Self> {
        [Self::RsaSha1, Self::RsaSha256]
            .into_iter()
            .find(|a| a.digest_uri() == uri)
    }

    pub(crate) fn digest(self, data: &[u8]) -> Vec<u8> {
        use rsa::sha2::Digest as _;
        match self {
            SignatureAlgorithm::RsaSha1 => sha1::Sha1::digest(data).to_vec(),
            SignatureAlgorithm::RsaSha256 => rsa::sha2::Sha256::digest(data).to_vec(),
        }
    }
}
