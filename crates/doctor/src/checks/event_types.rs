//! The fake's event type ids the checks read: OneLogin's own ids for provisioning events are
//! undocumented ([U] fidelity/onelogin §2), so these are the harness's (README lists them).

pub(super) const APP_ADDED: u32 = 9001;
pub(super) const APP_REMOVED: u32 = 9002;
pub(super) const PROVISIONING_SUCCEEDED: u32 = 9010;
pub(super) const PROVISIONING_FAILED: u32 = 9011;
pub(super) const API_CONNECTED: u32 = 9030;
pub(super) const API_CONNECTION_FAILED: u32 = 9031;

/// Whether a provisioning failure's `error_description` blames the API connection: such a
/// failure is `api-not-connected`'s, not one of `provisioning-failed`'s reasons.
pub(super) fn names_api_status(description: &str) -> bool {
    description.contains("API status")
}
