//! The contract checks, one row each: what it observes, which fact it stands on, whether it
//! writes, and the function that observes it (`observe/`). A check is a type, so both sides
//! always run the same code. The switch a check reveals is the switch table's
//! (`switches.rs`).

use crate::endpoint::Endpoint;
use crate::observe::{Observe, Side, reads, teams, users};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    AuthMissing,
    AuthBadToken,
    LookupWireForm,
    ListPagingFields,
    ContentType,
    BadFilter,
    UndocumentedFilter,
    ServiceProviderConfig,
    SearchEndpoint,
    UserNameMustBeEmail,
    CreateResponse,
    OneloginSchemaUrns,
    IgnoredAttributes,
    DuplicatePost,
    PatchNameParts,
    DeleteKeepsUser,
    Reactivation,
    GroupMemberPatch,
    TeamDelete,
    GuestVisibility,
}

/// One row of the check table.
#[derive(Clone, Copy)]
pub(crate) struct Spec {
    pub(crate) id: &'static str,
    pub(crate) behaviour: &'static str,
    /// The section of `docs/fidelity/asana.md` the check stands on.
    pub(crate) fact: &'static str,
    /// Whether the check changes the endpoint (creates, changes or deprovisions probe users).
    pub(crate) writes: bool,
    pub(crate) observe: Observe,
}

const fn reads(
    id: &'static str,
    behaviour: &'static str,
    fact: &'static str,
    observe: Observe,
) -> Spec {
    Spec {
        id,
        behaviour,
        fact,
        writes: false,
        observe,
    }
}

const fn writes(
    id: &'static str,
    behaviour: &'static str,
    fact: &'static str,
    observe: Observe,
) -> Spec {
    Spec {
        id,
        behaviour,
        fact,
        writes: true,
        observe,
    }
}

impl Check {
    pub const ALL: &'static [Check] = &[
        Check::AuthMissing,
        Check::AuthBadToken,
        Check::LookupWireForm,
        Check::ListPagingFields,
        Check::ContentType,
        Check::BadFilter,
        Check::UndocumentedFilter,
        Check::ServiceProviderConfig,
        Check::SearchEndpoint,
        Check::UserNameMustBeEmail,
        Check::CreateResponse,
        Check::OneloginSchemaUrns,
        Check::IgnoredAttributes,
        Check::DuplicatePost,
        Check::PatchNameParts,
        Check::DeleteKeepsUser,
        Check::Reactivation,
        Check::GroupMemberPatch,
        Check::TeamDelete,
        Check::GuestVisibility,
    ];

    /// The table.
    pub(crate) fn spec(self) -> Spec {
        match self {
            Check::AuthMissing => reads(
                "auth_missing",
                "no token: status and error body",
                "§2.1",
                reads::auth_missing,
            ),
            Check::AuthBadToken => reads(
                "auth_bad_token",
                "unknown token: status and error body",
                "§2.1",
                reads::auth_bad_token,
            ),
            Check::LookupWireForm => reads(
                "lookup_wire_form",
                "userName lookup in OneLogin's form (+, trailing &)",
                "§1.3",
                reads::lookup_wire_form,
            ),
            Check::ListPagingFields => reads(
                "list_paging_fields",
                "ListResponse carries startIndex/itemsPerPage",
                "§1.3",
                reads::list_paging_fields,
            ),
            Check::ContentType => reads(
                "content_type",
                "SCIM response content type",
                "§7",
                reads::content_type,
            ),
            Check::BadFilter => reads("bad_filter", "malformed filter", "§1.3", reads::bad_filter),
            Check::UndocumentedFilter => reads(
                "undocumented_filter",
                "a filter Asana does not document",
                "§1.3",
                reads::undocumented_filter,
            ),
            Check::ServiceProviderConfig => reads(
                "service_provider_config",
                "ServiceProviderConfig: patch and bulk",
                "§1.2",
                reads::service_provider_config,
            ),
            Check::SearchEndpoint => reads(
                "search_endpoint",
                "POST /.search",
                "§1.2",
                reads::search_endpoint,
            ),
            Check::UserNameMustBeEmail => writes(
                "user_name_must_be_email",
                "POST with a non-email userName",
                "§1.4, §5.1",
                users::user_name_must_be_email,
            ),
            Check::CreateResponse => writes(
                "create_response",
                "POST /Users: status and meta",
                "§1.4, §7",
                users::create_response,
            ),
            Check::OneloginSchemaUrns => writes(
                "onelogin_schema_urns",
                "POST with OneLogin's schema URNs",
                "§1.4",
                users::onelogin_schema_urns,
            ),
            Check::IgnoredAttributes => writes(
                "ignored_attributes",
                "POST with externalId and locale: echoed?",
                "§1.4",
                users::ignored_attributes,
            ),
            Check::DuplicatePost => writes(
                "duplicate_post",
                "second POST for an active userName",
                "§5.11",
                users::duplicate_post,
            ),
            Check::PatchNameParts => writes(
                "patch_name_parts",
                "PATCH name.givenName",
                "§1.4, §5.3",
                users::patch_name_parts,
            ),
            Check::DeleteKeepsUser => writes(
                "delete_keeps_user",
                "GET after DELETE",
                "§1.6",
                users::delete_keeps_user,
            ),
            Check::Reactivation => writes(
                "reactivation",
                "PATCH active:true after active:false",
                "§1.6, §5.4",
                users::reactivation,
            ),
            Check::GroupMemberPatch => writes(
                "group_member_patch",
                "team member PATCH status",
                "§1.5",
                teams::group_member_patch,
            ),
            Check::TeamDelete => writes(
                "team_delete",
                "DELETE /Groups/{id}",
                "§1.2, §5.5",
                teams::team_delete,
            ),
            Check::GuestVisibility => writes(
                "guest_visibility",
                "an off-domain user in GET /Users",
                "§5.2",
                teams::guest_visibility,
            ),
        }
    }

    pub fn id(self) -> &'static str {
        self.spec().id
    }

    pub fn behaviour(self) -> &'static str {
        self.spec().behaviour
    }

    /// The section of `docs/fidelity/asana.md` the check stands on.
    pub fn fact(self) -> &'static str {
        self.spec().fact
    }

    /// Whether the check changes the endpoint (creates, changes or deprovisions probe users).
    pub fn writes(self) -> bool {
        self.spec().writes
    }

    /// What the check sees on an endpoint, as a short string (a failure's text when it saw
    /// none); `side` keeps probe users of the two sides apart.
    pub async fn observe(self, client: &reqwest::Client, endpoint: &Endpoint, side: u8) -> String {
        let side = Side {
            client,
            endpoint,
            side,
        };
        (self.spec().observe)(side)
            .await
            .unwrap_or_else(|e| e.to_string())
    }
}
