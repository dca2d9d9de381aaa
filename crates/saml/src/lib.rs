//! SAML 2.0 Web Browser SSO, as much of it as the fake OneLogin (identity provider) and the fake
//! Asana (service provider) need, in pure Rust.
//!
//! - [`SigningKey`], [`Certificate`]: RSA-2048 keys and self-signed certificates, made once or
//!   read from PEM so that runs repeat.
//! - [`build_response`]: a `<samlp:Response>` with one assertion, signed on the assertion, the
//!   response or both (enveloped XML-DSig, exclusive C14N, RSA with SHA-1, SHA-256, SHA-384 or
//!   SHA-512).
//! - [`verify_response`]: the service provider's checks. Invariants: a document's cost is
//!   bounded on its raw text before it is parsed (and it is parsed once); no value is read from
//!   an element no verified signature covers, except the NameID handed to the caller, marked
//!   unverified, to choose whose certificates to trust; every time window is judged against the
//!   `now` the caller passes (the harness clock), never the wall clock.
//! - [`idp_metadata`]: the IdP's metadata document.
//! - [`AuthnRequest`]: SP-initiated sign-in over the Redirect and POST bindings.
//! - [`Reason`]: one code per cause of refusal, shared by every layer that reports one.
//!
//! XML is read with roxmltree, which refuses DTDs (so no entity expansion and no external
//! entities); canonicalization is this crate's own, checked in CI against lxml's.

mod algorithm;
mod bounds;
mod c14n;
mod key;
mod metadata;
mod profile;
mod reason;
mod request;
mod response;
mod sign;
mod signature;
mod tree;
mod verified;
mod verify;
mod xml;

#[cfg(test)]
mod testkey;

pub use algorithm::SignatureAlgorithm;
pub use bounds::{Exceeded, Limits};
pub use key::{Certificate, KeyError, SigningKey};
pub use metadata::idp_metadata;
pub use reason::{Reason, Refusal};
pub use request::{AuthnRequest, Binding, RequestError};
pub use response::{
    AssertionSpec, SignatureElement, Signing, VALID_AFTER, VALID_BEFORE, build_response,
    encode_response,
};
pub use sign::{SignatureOptions, sign_element};
pub use verify::{Expectations, MAX_RESPONSE_BYTES, Verified, verify_response};

/// Exclusive canonical XML of the document's root element, with the given inclusive prefixes
/// (`""` for `#default`): for tools that check this crate's canonicalization against another
/// implementation.
pub fn canonicalize_document(xml: &str, inclusive: &[&str]) -> Result<String, roxmltree::Error> {
    let doc = roxmltree::Document::parse(xml)?;
    Ok(c14n::canonicalize(doc.root_element(), None, inclusive))
}
