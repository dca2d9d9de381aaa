//! SCIM 2.0 (RFC 7643 / RFC 7644) as data: no sockets, no clocks, no storage.
//!
//! - [`error`]: the SCIM error response (`status` as a string, `scimType`, `detail`).
//! - [`names`]: schema URNs and the canonical spelling of every attribute name, because SCIM
//!   attribute names are case-insensitive on input but should come out the way the RFC spells them.
//! - [`user`], [`group`]: the resources, parsed leniently the way real identity providers send them
//!   (Entra's `"False"`, odd schema URNs, unknown attributes) and validated into typed values.
//! - [`list`]: list responses and the query parameters of a list request.
//! - [`filter`]: the whole filter grammar of RFC 7644 §3.4.2.2, parsed with positions in errors and
//!   evaluated against JSON resources.
//! - [`patch`]: PATCH requests (RFC 7644 §3.5.2) in every dialect seen in the wild, applied to JSON.
//! - [`discovery`]: ServiceProviderConfig, ResourceTypes and Schemas documents.
//!
//! Architecture invariant: this crate does no I/O and knows nothing of Asana or OneLogin. Vendor
//! quirks are decided by the servers that use it.

pub mod discovery;
pub mod error;
pub mod filter;
pub mod group;
pub mod list;
pub mod names;
pub mod patch;
pub mod user;

mod lenient;

pub use error::{ScimError, ScimType};
pub use filter::{AttrPath, CompValue, CompareOp, Filter};
pub use group::{Group, Member};
pub use list::{ListQuery, ListResponse};
pub use patch::{PatchOp, PatchOperation, PatchPath, PatchRequest};
pub use user::{Address, EnterpriseUser, Manager, MultiValue, Name, User};
