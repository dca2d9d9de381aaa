//! The fake's event type ids the checks read: OneLogin's own ids for provisioning events are
//! undocumented ([U] fidelity/onelogin §2), so these are the harness's (README lists them).

pub(super) const APP_ADDED: u32 = 9001;
pub(super) const APP_REMOVED: u32 = 9002;
pub(super) const PROVISIONING_SUCCEEDED: u32 = 9010;
pub(super) const PROVISIONING_FAILED: u32 = 9011;
