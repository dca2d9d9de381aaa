//! Every way the store refuses, as one type. Each API maps it to its own wire format (SCIM
//! error, admin `{"error"}`, console message, sign-in refusal); the texts here are the ones
//! those formats show.

use harness_scim::ScimError;

use crate::model::Gid;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    // -- organizations and domains ------------------------------------------------------------
    #[error("no organization {0}")]
    NoOrganization(Gid),
    /// Another organization already holds the domain.
    #[error("the domain {domain} already belongs to the organization {holder}")]
    DomainTaken { domain: String, holder: String },
    #[error("{0:?} is not a domain name")]
    InvalidDomain(String),

    // -- SCIM users and groups ----------------------------------------------------------------
    #[error("User {0} not found")]
    UserNotFound(Gid),
    #[error("Group {0} not found")]
    TeamNotFound(Gid),
    #[error("a user with userName {0} already exists")]
    UserNameTaken(String),
    #[error("a team named {0} already exists")]
    TeamNameTaken(String),
    #[error("userName {0:?} must be an email address")]
    NotAnEmail(String),
    #[error("email domain of {0} is not in the organization")]
    OffDomain(String),
    /// Asana allows a userName change only within the organization's domains.
    #[error("userName {0} is not on one of the organization's domains")]
    RenameOffDomain(String),
    #[error(
        "Reactivating a deprovisioned user through SCIM is not supported; \
         an admin must add the user back in Asana"
    )]
    ReactivationRefused,
    #[error("member {0} is not a user of this organization")]
    NotAMember(String),
    #[error("Deleting teams through SCIM is not supported by Asana")]
    TeamDeleteRefused,
    /// The request itself is not valid SCIM (a PATCH that does not apply, a resource that does
    /// not parse): the SCIM library's own error.
    #[error(transparent)]
    Invalid(#[from] ScimError),

    // -- what a SCIM request may say in this profile ------------------------------------------
    #[error("No SCIM endpoint at this path")]
    NoSuchEndpoint,
    #[error("Unsupported filter: {resource} can only be filtered by {attribute} eq \"value\"")]
    UndocumentedFilter {
        resource: &'static str,
        attribute: &'static str,
    },
    #[error("schemas must include {0}")]
    SchemasMissing(String),
    #[error("unknown schema {0}")]
    UnknownSchema(String),

    // -- tokens, service accounts, seeds ------------------------------------------------------
    #[error("that token is already in use")]
    TokenInUse,
    #[error("a service account needs a name")]
    EmptyServiceAccountName,
    #[error("no service account {0}")]
    NoServiceAccount(Gid),
    #[error("no user {reference:?} in organization {org}")]
    NoUser { reference: String, org: Gid },
    #[error("duplicate user {0}")]
    DuplicateUser(String),
    #[error("team {team}: no user {member}")]
    NoTeamMember { team: String, member: String },
    #[error("duplicate team {0}")]
    DuplicateTeam(String),

    // -- restoring a saved state --------------------------------------------------------------
    #[error("state version {version} is newer than this build understands ({supported})")]
    StateTooNew { version: u32, supported: u32 },
    #[error("duplicate organization {0}")]
    DuplicateOrganization(Gid),
    #[error("user {gid}: {detail}")]
    InvalidUser { gid: Gid, detail: String },
    #[error("duplicate userName {0}")]
    DuplicateUserName(String),
    #[error("team {team} lists unknown member {member}")]
    UnknownTeamMember { team: String, member: Gid },
    #[error("personal access token {token} belongs to unknown user {user}")]
    UnknownTokenOwner { token: Gid, user: Gid },

    // -- SAML settings (as the Security tab checks them) --------------------------------------
    #[error("session_timeout_hours must be 1 to {max} (1 hour to 30 days); got {got}")]
    SessionTimeout { max: u32, got: u32 },
    #[error("sign_in_url {0:?} is not an http(s) URL")]
    SignInUrlNotHttp(String),
    #[error("certificate: {0}")]
    Certificate(String),
    #[error("SAML needs the IdP's sign-in page URL")]
    SamlNeedsSignInUrl,
    #[error("SAML needs the IdP's X.509 certificate")]
    SamlNeedsCertificate,

    // -- who may sign in (fidelity/saml §1) ---------------------------------------------------
    #[error("{email} is not a member of {org}")]
    NotAMemberOf { email: String, org: String },
    #[error("{0} has no account")]
    NoAccount(String),
    #[error("{0} is a guest; guests sign in with email and password, not SAML")]
    GuestUsesPassword(String),
    #[error("{email} was deprovisioned in {org}")]
    Deprovisioned { email: String, org: String },
    #[error("{0} requires members to sign in with SAML")]
    SamlRequired(String),
}
