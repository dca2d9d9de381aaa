//! The check table: every check once, with its stable code, severity, title and the customer
//! case that reproduces it. A check is a function of the readings and the hand-given inputs,
//! one file per pitfall; it says what it saw, and the table says what that is called.

mod approvals;
mod certificate;
mod deleted_keep_password;
mod event_types;
mod failed_tasks;
mod members;
mod name_id;
mod not_provisioned;
mod profile_drift;
mod provisioning_off;
mod scim_username;
mod sha1;
mod sign_in_url;
mod token;
mod unknown_members;

use jiff::Timestamp;

use crate::finding::{Finding, Severity};
use crate::inputs::Inputs;
use crate::read::Readings;

/// What a check saw.
pub(crate) enum Verdict {
    Found {
        evidence: String,
        fix: String,
    },
    /// It needs a value the admin did not give: the flag to give it with.
    NotChecked {
        give: &'static str,
    },
}

/// What a check reads: everything read, the admin's inputs, and the time of the run.
pub(crate) struct Context<'a> {
    pub readings: &'a Readings,
    pub inputs: &'a Inputs,
    pub now: Timestamp,
}

/// One row of the table.
pub struct Check {
    pub code: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    /// `scenarios/customer-cases/<case>.yaml`; `None` when no case reproduces it yet.
    pub case: Option<&'static str>,
    pub(crate) run: fn(&Context) -> Option<Verdict>,
}

pub static CHECKS: &[Check] = &[
    Check {
        code: "name-id-not-email",
        severity: Severity::Critical,
        title: "NameID is not mapped to Email",
        case: Some("provisioned-but-cannot-sign-in"),
        run: name_id::not_email,
    },
    Check {
        code: "scim-username-not-email",
        severity: Severity::Critical,
        title: "SCIM Username is not mapped to Email",
        case: Some("username-is-not-an-email"),
        run: scim_username::not_email,
    },
    Check {
        code: "name-id-scim-username-differ",
        severity: Severity::Critical,
        title: "NameID and SCIM Username are mapped to different attributes",
        case: Some("provisioned-but-cannot-sign-in"),
        run: name_id::differs_from_scim_username,
    },
    Check {
        code: "certificate-mismatch",
        severity: Severity::Critical,
        title: "OneLogin signs with a certificate Asana does not have",
        case: Some("rotated-certificate-locked-everyone-out"),
        run: certificate::mismatch,
    },
    Check {
        code: "certificate-expiring",
        severity: Severity::Warning,
        title: "The SAML certificate expires within 30 days",
        case: Some("rotated-certificate-locked-everyone-out"),
        run: certificate::expiring,
    },
    Check {
        code: "sha1-signing",
        severity: Severity::Warning,
        title: "Assertions are signed with SHA-1",
        case: None,
        run: sha1::sha1,
    },
    Check {
        code: "provisioning-disabled",
        severity: Severity::Critical,
        title: "Provisioning is turned off for the Asana app",
        case: Some("enable-never-pressed"),
        run: provisioning_off::disabled,
    },
    Check {
        code: "api-not-connected",
        severity: Severity::Critical,
        title: "The Asana app's API connection is not enabled",
        case: Some("enable-never-pressed"),
        run: provisioning_off::not_connected,
    },
    Check {
        code: "deleted-keep-password-access",
        severity: Severity::Critical,
        title: "Deleted people keep access to Asana with their password",
        case: Some("deleted-but-still-signs-in"),
        run: deleted_keep_password::run,
    },
    Check {
        code: "sign-in-url-mismatch",
        severity: Severity::Critical,
        title: "Asana's sign-in page URL is not OneLogin's SAML endpoint for the app",
        case: None,
        run: sign_in_url::mismatch,
    },
    Check {
        code: "asana-token-dead",
        severity: Severity::Critical,
        title: "Asana refuses the token OneLogin holds",
        case: Some("rotated-token-stopped-everything"),
        run: token::dead,
    },
    Check {
        code: "asana-token-not-service-account",
        severity: Severity::Critical,
        title: "The Asana token is not a service account's",
        case: None,
        run: token::wrong_kind,
    },
    Check {
        code: "approval-pending-over-a-day",
        severity: Severity::Warning,
        title: "Provisioning has waited for approval for more than a day",
        case: Some("users-stuck-pending"),
        run: approvals::pending_over_a_day,
    },
    Check {
        code: "provisioning-failed",
        severity: Severity::Critical,
        title: "Provisioning tasks failed",
        case: None,
        run: failed_tasks::failed,
    },
    Check {
        code: "assigned-not-provisioned",
        severity: Severity::Warning,
        title: "People have the Asana app but are not in Asana",
        case: None,
        run: not_provisioned::not_provisioned,
    },
    Check {
        code: "asana-members-unknown-to-onelogin",
        severity: Severity::Warning,
        title: "Asana has members OneLogin does not know (Import never run)",
        case: Some("everyone-already-had-asana"),
        run: unknown_members::unknown,
    },
    Check {
        code: "profile-changes-not-sent",
        severity: Severity::Warning,
        title: "Profile changes in OneLogin have not reached Asana",
        case: Some("renamed-but-asana-shows-the-old-name"),
        run: profile_drift::drift,
    },
];

/// Runs every check in table order.
pub(crate) fn run(readings: &Readings, inputs: &Inputs, now: Timestamp) -> Vec<Finding> {
    let cx = Context {
        readings,
        inputs,
        now,
    };
    CHECKS
        .iter()
        .filter_map(|check| Some(finding(check, (check.run)(&cx)?)))
        .collect()
}

fn finding(check: &Check, verdict: Verdict) -> Finding {
    match verdict {
        Verdict::Found { evidence, fix } => Finding {
            code: check.code,
            severity: check.severity,
            title: check.title,
            evidence,
            fix,
            case: check.case,
        },
        Verdict::NotChecked { give } => Finding {
            code: check.code,
            severity: Severity::NotChecked,
            title: check.title,
            evidence: format!("not checked: give {give}"),
            fix: format!("Run the doctor again with {give}."),
            case: check.case,
        },
    }
}
