//! The contract checks, one variant each: what it observes, which fact it stands on, which
//! fidelity switch explains a difference. A check is a type, so both sides always run the same
//! code.

use fake_asana::Switch;
use reqwest::Method;
use serde_json::json;

use crate::endpoint::{
    Endpoint, call, create_user, error_form, patch, probe_email, remove_user, user,
};

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

    pub fn id(self) -> &'static str {
        match self {
            Check::AuthMissing => "auth_missing",
            Check::AuthBadToken => "auth_bad_token",
            Check::LookupWireForm => "lookup_wire_form",
            Check::ListPagingFields => "list_paging_fields",
            Check::ContentType => "content_type",
            Check::BadFilter => "bad_filter",
            Check::UndocumentedFilter => "undocumented_filter",
            Check::ServiceProviderConfig => "service_provider_config",
            Check::SearchEndpoint => "search_endpoint",
            Check::UserNameMustBeEmail => "user_name_must_be_email",
            Check::CreateResponse => "create_response",
            Check::OneloginSchemaUrns => "onelogin_schema_urns",
            Check::IgnoredAttributes => "ignored_attributes",
            Check::DuplicatePost => "duplicate_post",
            Check::PatchNameParts => "patch_name_parts",
            Check::DeleteKeepsUser => "delete_keeps_user",
            Check::Reactivation => "reactivation",
            Check::GroupMemberPatch => "group_member_patch",
            Check::TeamDelete => "team_delete",
            Check::GuestVisibility => "guest_visibility",
        }
    }

    pub fn behaviour(self) -> &'static str {
        match self {
            Check::AuthMissing => "no token: status and error body",
            Check::AuthBadToken => "unknown token: status and error body",
            Check::LookupWireForm => "userName lookup in OneLogin's form (+, trailing &)",
            Check::ListPagingFields => "ListResponse carries startIndex/itemsPerPage",
            Check::ContentType => "SCIM response content type",
            Check::BadFilter => "malformed filter",
            Check::UndocumentedFilter => "a filter Asana does not document",
            Check::ServiceProviderConfig => "ServiceProviderConfig: patch and bulk",
            Check::SearchEndpoint => "POST /.search",
            Check::UserNameMustBeEmail => "POST with a non-email userName",
            Check::CreateResponse => "POST /Users: status and meta",
            Check::OneloginSchemaUrns => "POST with OneLogin's schema URNs",
            Check::IgnoredAttributes => "POST with externalId and locale: echoed?",
            Check::DuplicatePost => "second POST for an active userName",
            Check::PatchNameParts => "PATCH name.givenName",
            Check::DeleteKeepsUser => "GET after DELETE",
            Check::Reactivation => "PATCH active:true after active:false",
            Check::GroupMemberPatch => "team member PATCH status",
            Check::TeamDelete => "DELETE /Groups/{id}",
            Check::GuestVisibility => "an off-domain user in GET /Users",
        }
    }

    /// The section of `docs/fidelity/asana.md` the check stands on.
    pub fn fact(self) -> &'static str {
        match self {
            Check::AuthMissing => "§2.1",
            Check::AuthBadToken => "§2.1",
            Check::LookupWireForm => "§1.3",
            Check::ListPagingFields => "§1.3",
            Check::ContentType => "§7",
            Check::BadFilter => "§1.3",
            Check::UndocumentedFilter => "§1.3",
            Check::ServiceProviderConfig => "§1.2",
            Check::SearchEndpoint => "§1.2",
            Check::UserNameMustBeEmail => "§1.4, §5.1",
            Check::CreateResponse => "§1.4, §7",
            Check::OneloginSchemaUrns => "§1.4",
            Check::IgnoredAttributes => "§1.4",
            Check::DuplicatePost => "§5.11",
            Check::PatchNameParts => "§1.4, §5.3",
            Check::DeleteKeepsUser => "§1.6",
            Check::Reactivation => "§1.6, §5.4",
            Check::GroupMemberPatch => "§1.5",
            Check::TeamDelete => "§1.2, §5.5",
            Check::GuestVisibility => "§5.2",
        }
    }

    /// The fidelity switch this behaviour depends on, if any.
    pub fn switch(self) -> Option<Switch> {
        match self {
            Check::AuthMissing => Some(Switch::AuthErrorsInRestFormat),
            Check::AuthBadToken => Some(Switch::AuthErrorsInRestFormat),
            Check::LookupWireForm => None,
            Check::ListPagingFields => Some(Switch::ListWithoutPaging),
            Check::ContentType => Some(Switch::PlainJsonContentType),
            Check::BadFilter => None,
            Check::UndocumentedFilter => Some(Switch::OnlyDocumentedFilters),
            Check::ServiceProviderConfig => None,
            Check::SearchEndpoint => Some(Switch::NoSearchEndpoint),
            Check::UserNameMustBeEmail => Some(Switch::UsernameMustBeEmail),
            Check::CreateResponse => Some(Switch::OmitMeta),
            Check::OneloginSchemaUrns => Some(Switch::LenientSchemas),
            Check::IgnoredAttributes => Some(Switch::IgnoredAttributesDropped),
            Check::DuplicatePost => None,
            Check::PatchNameParts => Some(Switch::NamePartsIgnoredInPatch),
            Check::DeleteKeepsUser => Some(Switch::DeleteDeprovisions),
            Check::Reactivation => Some(Switch::ReactivationRefused),
            Check::GroupMemberPatch => Some(Switch::GroupPatchNoContent),
            Check::TeamDelete => Some(Switch::TeamDeleteRefused),
            Check::GuestVisibility => Some(Switch::OffDomainUsersAreGuests),
        }
    }

    /// Whether the check changes the endpoint (creates, changes or deprovisions probe users).
    pub fn writes(self) -> bool {
        match self {
            Check::AuthMissing => false,
            Check::AuthBadToken => false,
            Check::LookupWireForm => false,
            Check::ListPagingFields => false,
            Check::ContentType => false,
            Check::BadFilter => false,
            Check::UndocumentedFilter => false,
            Check::ServiceProviderConfig => false,
            Check::SearchEndpoint => false,
            Check::UserNameMustBeEmail => true,
            Check::CreateResponse => true,
            Check::OneloginSchemaUrns => true,
            Check::IgnoredAttributes => true,
            Check::DuplicatePost => true,
            Check::PatchNameParts => true,
            Check::DeleteKeepsUser => true,
            Check::Reactivation => true,
            Check::GroupMemberPatch => true,
            Check::TeamDelete => true,
            Check::GuestVisibility => true,
        }
    }

    /// What the check sees on an endpoint, as a short string; `side` keeps probe users of the
    /// two sides apart.
    pub async fn observe(self, client: &reqwest::Client, t: &Endpoint, side: u8) -> String {
        match self.observe_inner(client, t, side).await {
            Ok(s) => s,
            Err(e) => e,
        }
    }

    async fn observe_inner(
        self,
        client: &reqwest::Client,
        t: &Endpoint,
        side: u8,
    ) -> Result<String, String> {
        let tok = Some(t.token.as_str());
        Ok(match self {
            Check::AuthMissing => {
                let r = call(client, t, Method::GET, "/Users", None, None).await?;
                format!("{} {}", r.status.as_u16(), error_form(&r.body))
            }
            Check::AuthBadToken => {
                let r = call(
                    client,
                    t,
                    Method::GET,
                    "/Users",
                    Some("2/1/2:0000000000000000"),
                    None,
                )
                .await?;
                format!("{} {}", r.status.as_u16(), error_form(&r.body))
            }
            Check::LookupWireForm => {
                let r = call(
                    client,
                    t,
                    Method::GET,
                    "/Users?filter=userName+eq+%22never-existing-user%22&",
                    tok,
                    None,
                )
                .await?;
                format!(
                    "{} totalResults={}",
                    r.status.as_u16(),
                    r.body["totalResults"]
                )
            }
            Check::ListPagingFields => {
                let r = call(
                    client,
                    t,
                    Method::GET,
                    "/Users?filter=userName+eq+%22never-existing-user%22&",
                    tok,
                    None,
                )
                .await?;
                let paging =
                    r.body.get("startIndex").is_some() && r.body.get("itemsPerPage").is_some();
                if paging {
                    "with startIndex and itemsPerPage".into()
                } else {
                    "without startIndex or itemsPerPage".into()
                }
            }
            Check::ContentType => {
                call(
                    client,
                    t,
                    Method::GET,
                    "/Users?filter=userName+eq+%22never-existing-user%22&",
                    tok,
                    None,
                )
                .await?
                .content_type
            }
            Check::BadFilter => {
                let r = call(
                    client,
                    t,
                    Method::GET,
                    "/Users?filter=userName+eq",
                    tok,
                    None,
                )
                .await?;
                format!(
                    "{} {}",
                    r.status.as_u16(),
                    r.body["scimType"].as_str().unwrap_or("(no scimType)")
                )
            }
            Check::UndocumentedFilter => {
                let r = call(
                    client,
                    t,
                    Method::GET,
                    "/Users?filter=title+eq+%22never-existing-title%22",
                    tok,
                    None,
                )
                .await?;
                format!(
                    "{} {}",
                    r.status.as_u16(),
                    r.body["scimType"].as_str().unwrap_or("")
                )
            }
            Check::ServiceProviderConfig => {
                let r = call(client, t, Method::GET, "/ServiceProviderConfig", tok, None).await?;
                format!(
                    "{} patch={} bulk={}",
                    r.status.as_u16(),
                    r.body["patch"]["supported"],
                    r.body["bulk"]["supported"]
                )
            }
            Check::SearchEndpoint => {
                let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": "userName eq \"never-existing-user\""});
                call(client, t, Method::POST, "/.search", tok, Some(body))
                    .await?
                    .status
                    .as_u16()
                    .to_string()
            }
            Check::UserNameMustBeEmail => {
                let name = probe_email(t, side, "noemail").replace('@', "-at-");
                let r = call(client, t, Method::POST, "/Users", tok, Some(user(&name))).await?;
                if r.status.is_success() {
                    remove_user(client, t, tok, &r.body["id"]).await;
                }
                format!(
                    "{} {}",
                    r.status.as_u16(),
                    r.body["scimType"].as_str().unwrap_or("")
                )
            }
            Check::CreateResponse => {
                let email = probe_email(t, side, "create");
                let r = call(client, t, Method::POST, "/Users", tok, Some(user(&email))).await?;
                remove_user(client, t, tok, &r.body["id"]).await;
                format!(
                    "{} {}",
                    r.status.as_u16(),
                    if r.body.get("meta").is_some() {
                        "with meta"
                    } else {
                        "without meta"
                    }
                )
            }
            Check::OneloginSchemaUrns => {
                let email = probe_email(t, side, "urns");
                let mut body = user(&email);
                body["schemas"] = json!([
                    "urn:scim:schemas:core:2.0",
                    "urn:scim:schemas:extension:enterprise:2.0"
                ]);
                let r = call(client, t, Method::POST, "/Users", tok, Some(body)).await?;
                remove_user(client, t, tok, &r.body["id"]).await;
                r.status.as_u16().to_string()
            }
            Check::IgnoredAttributes => {
                let email = probe_email(t, side, "ignored");
                let mut body = user(&email);
                body["externalId"] = json!("harness-probe");
                body["locale"] = json!("en-GB");
                let r = call(client, t, Method::POST, "/Users", tok, Some(body)).await?;
                remove_user(client, t, tok, &r.body["id"]).await;
                let echoed = r.body.get("externalId").is_some() || r.body.get("locale").is_some();
                format!(
                    "{} {}",
                    r.status.as_u16(),
                    if echoed { "echoed" } else { "dropped" }
                )
            }
            Check::DuplicatePost => {
                let email = probe_email(t, side, "dup");
                let first =
                    call(client, t, Method::POST, "/Users", tok, Some(user(&email))).await?;
                let second = call(
                    client,
                    t,
                    Method::POST,
                    "/Users",
                    tok,
                    Some(user(&email.to_uppercase())),
                )
                .await?;
                remove_user(client, t, tok, &first.body["id"]).await;
                format!(
                    "{} {}",
                    second.status.as_u16(),
                    second.body["scimType"].as_str().unwrap_or("")
                )
            }
            Check::PatchNameParts => {
                let email = probe_email(t, side, "patch");
                let id = create_user(client, t, tok, &email).await?;
                let r = call(
                    client,
                    t,
                    Method::PATCH,
                    &format!("/Users/{id}"),
                    tok,
                    Some(patch(
                        json!([{"op": "replace", "path": "name.givenName", "value": "Changed"}]),
                    )),
                )
                .await?;
                remove_user(client, t, tok, &json!(id)).await;
                format!(
                    "{} {}",
                    r.status.as_u16(),
                    if r.body["name"]["givenName"] == "Changed" {
                        "applied"
                    } else {
                        "ignored"
                    }
                )
            }
            Check::DeleteKeepsUser => {
                let email = probe_email(t, side, "delete");
                let id = create_user(client, t, tok, &email).await?;
                let deleted = call(
                    client,
                    t,
                    Method::DELETE,
                    &format!("/Users/{id}"),
                    tok,
                    None,
                )
                .await?;
                let after =
                    call(client, t, Method::GET, &format!("/Users/{id}"), tok, None).await?;
                match after.status.as_u16() {
                    200 => format!(
                        "DELETE {}, then kept with active={}",
                        deleted.status.as_u16(),
                        after.body["active"]
                    ),
                    s => format!("DELETE {}, then GET {s}", deleted.status.as_u16()),
                }
            }
            Check::Reactivation => {
                let email = probe_email(t, side, "react");
                let id = create_user(client, t, tok, &email).await?;
                call(
                    client,
                    t,
                    Method::PATCH,
                    &format!("/Users/{id}"),
                    tok,
                    Some(patch(
                        json!([{"op": "replace", "value": {"active": false}}]),
                    )),
                )
                .await?;
                let r = call(
                    client,
                    t,
                    Method::PATCH,
                    &format!("/Users/{id}"),
                    tok,
                    Some(patch(json!([{"op": "replace", "value": {"active": true}}]))),
                )
                .await?;
                remove_user(client, t, tok, &json!(id)).await;
                if r.status.is_success() {
                    format!("{} active={}", r.status.as_u16(), r.body["active"])
                } else {
                    format!("{} refused", r.status.as_u16())
                }
            }
            Check::GroupMemberPatch | Check::TeamDelete => {
                let email = probe_email(t, side, "team");
                let member = create_user(client, t, tok, &email).await?;
                let team_name = probe_email(t, side, "team").replace('@', " ");
                let team = call(client, t, Method::POST, "/Groups", tok, Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": team_name}))).await?;
                let team_id = team.body["id"]
                    .as_str()
                    .map(str::to_owned)
                    .or_else(|| team.body["id"].as_u64().map(|n| n.to_string()))
                    .ok_or("the probe team was not created")?;
                let result = if self == Check::GroupMemberPatch {
                    let r = call(
                        client,
                        t,
                        Method::PATCH,
                        &format!("/Groups/{team_id}"),
                        tok,
                        Some(patch(
                            json!([{"op": "add", "path": "members", "value": [{"value": member}]}]),
                        )),
                    )
                    .await?;
                    r.status.as_u16().to_string()
                } else {
                    call(
                        client,
                        t,
                        Method::DELETE,
                        &format!("/Groups/{team_id}"),
                        tok,
                        None,
                    )
                    .await?
                    .status
                    .as_u16()
                    .to_string()
                };
                remove_user(client, t, tok, &json!(member)).await;
                result
            }
            Check::GuestVisibility => {
                let email = probe_email(t, side, "guest")
                    .replace(&format!("@{}", t.domain), "@harness-probe-guest.invalid");
                let created =
                    call(client, t, Method::POST, "/Users", tok, Some(user(&email))).await?;
                let filter = format!(
                    "/Users?filter=userName+eq+%22{}%22&",
                    email.replace('@', "%40")
                );
                let found = call(client, t, Method::GET, &filter, tok, None).await?;
                remove_user(client, t, tok, &created.body["id"]).await;
                format!(
                    "POST {}, then {}",
                    created.status.as_u16(),
                    if found.body["totalResults"] == 0 {
                        "invisible"
                    } else {
                        "visible"
                    }
                )
            }
        })
    }
}
