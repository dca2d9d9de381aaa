//! Contract checks for an Asana SCIM endpoint: the behaviours the provisioner relies on
//! (asana-facts §1, §2, §5, §7), each observed on the endpoint and on an in-process fake Asana
//! in the `asana` profile, and compared.
//!
//! Against the fake in the `asana` profile everything matches; against the `rfc` profile the
//! differences are exactly the checks tied to a fidelity switch. Against a real Asana, a
//! difference says the fake no longer matches the service.
//!
//! Read-only checks make only GETs and a search; checks with side effects (creating, changing
//! and deprovisioning probe users and a team) run only when asked.

use fake_asana::{FakeAsana, Scope, Switch};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde_json::{Value, json};

/// The endpoint to check.
#[derive(Debug, Clone)]
pub struct Target {
    pub scim_url: String,
    pub token: String,
    /// An email domain of the organization, for probe users. Off-domain users become guests.
    pub domain: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub id: &'static str,
    pub behaviour: &'static str,
    pub fact: &'static str,
    /// The fidelity switch this behaviour depends on, if any.
    pub switch: Option<&'static str>,
    pub writes: bool,
    pub expected: String,
    pub observed: String,
    pub matches: bool,
}

struct Check {
    id: &'static str,
    behaviour: &'static str,
    fact: &'static str,
    switch: Option<Switch>,
    writes: bool,
}

const CHECKS: &[Check] = &[
    Check {
        id: "auth_missing",
        behaviour: "no token: status and error body",
        fact: "§2.1",
        switch: Some(Switch::AuthErrorsInRestFormat),
        writes: false,
    },
    Check {
        id: "auth_bad_token",
        behaviour: "unknown token: status and error body",
        fact: "§2.1",
        switch: Some(Switch::AuthErrorsInRestFormat),
        writes: false,
    },
    Check {
        id: "lookup_wire_form",
        behaviour: "userName lookup in OneLogin's form (+, trailing &)",
        fact: "§1.3",
        switch: None,
        writes: false,
    },
    Check {
        id: "list_paging_fields",
        behaviour: "ListResponse carries startIndex/itemsPerPage",
        fact: "§1.3",
        switch: Some(Switch::ListWithoutPaging),
        writes: false,
    },
    Check {
        id: "content_type",
        behaviour: "SCIM response content type",
        fact: "§7",
        switch: Some(Switch::PlainJsonContentType),
        writes: false,
    },
    Check {
        id: "bad_filter",
        behaviour: "malformed filter",
        fact: "§1.3",
        switch: None,
        writes: false,
    },
    Check {
        id: "undocumented_filter",
        behaviour: "a filter Asana does not document",
        fact: "§1.3",
        switch: Some(Switch::OnlyDocumentedFilters),
        writes: false,
    },
    Check {
        id: "service_provider_config",
        behaviour: "ServiceProviderConfig: patch and bulk",
        fact: "§1.2",
        switch: None,
        writes: false,
    },
    Check {
        id: "search_endpoint",
        behaviour: "POST /.search",
        fact: "§1.2",
        switch: Some(Switch::NoSearchEndpoint),
        writes: false,
    },
    Check {
        id: "user_name_must_be_email",
        behaviour: "POST with a non-email userName",
        fact: "§1.4, §5.1",
        switch: Some(Switch::UsernameMustBeEmail),
        writes: true,
    },
    Check {
        id: "create_response",
        behaviour: "POST /Users: status and meta",
        fact: "§1.4, §7",
        switch: Some(Switch::OmitMeta),
        writes: true,
    },
    Check {
        id: "onelogin_schema_urns",
        behaviour: "POST with OneLogin's schema URNs",
        fact: "§1.4",
        switch: Some(Switch::LenientSchemas),
        writes: true,
    },
    Check {
        id: "ignored_attributes",
        behaviour: "POST with externalId and locale: echoed?",
        fact: "§1.4",
        switch: Some(Switch::IgnoredAttributesDropped),
        writes: true,
    },
    Check {
        id: "duplicate_post",
        behaviour: "second POST for an active userName",
        fact: "§5.11",
        switch: None,
        writes: true,
    },
    Check {
        id: "patch_name_parts",
        behaviour: "PATCH name.givenName",
        fact: "§1.4, §5.3",
        switch: Some(Switch::NamePartsIgnoredInPatch),
        writes: true,
    },
    Check {
        id: "delete_keeps_user",
        behaviour: "GET after DELETE",
        fact: "§1.6",
        switch: Some(Switch::DeleteDeprovisions),
        writes: true,
    },
    Check {
        id: "reactivation",
        behaviour: "PATCH active:true after active:false",
        fact: "§1.6, §5.4",
        switch: Some(Switch::ReactivationRefused),
        writes: true,
    },
    Check {
        id: "group_member_patch",
        behaviour: "team member PATCH status",
        fact: "§1.5",
        switch: Some(Switch::GroupPatchNoContent),
        writes: true,
    },
    Check {
        id: "team_delete",
        behaviour: "DELETE /Groups/{id}",
        fact: "§1.2, §5.5",
        switch: Some(Switch::TeamDeleteRefused),
        writes: true,
    },
    Check {
        id: "guest_visibility",
        behaviour: "an off-domain user in GET /Users",
        fact: "§5.2",
        switch: Some(Switch::OffDomainUsersAreGuests),
        writes: true,
    },
];

/// Runs the checks against `target` and against a fresh fake Asana (`asana` profile).
/// Without `side_effects`, only the read-only checks run.
pub async fn probe(client: &reqwest::Client, target: &Target, side_effects: bool) -> Vec<Row> {
    let reference = FakeAsana::builder()
        .clock(harness_clock::Clock::manual())
        .seed(1)
        .start()
        .await;
    let sa = reference.create_service_account("probe", Scope::Scim);
    let fake = Target {
        scim_url: reference.scim_url(),
        token: sa.token,
        domain: "acme.test".into(),
    };
    let mut rows = Vec::new();
    for check in CHECKS.iter().filter(|c| side_effects || !c.writes) {
        let expected = observe(client, &fake, check.id, 1).await;
        let observed = observe(client, target, check.id, 2).await;
        rows.push(Row {
            id: check.id,
            behaviour: check.behaviour,
            fact: check.fact,
            switch: check.switch.map(Switch::name),
            writes: check.writes,
            matches: expected == observed,
            expected,
            observed,
        });
    }
    reference.shutdown().await;
    rows
}

struct Reply {
    status: StatusCode,
    content_type: String,
    body: Value,
}

/// Creates a probe user and returns its id: the first step of every check that changes one.
async fn create_user(
    client: &reqwest::Client,
    t: &Target,
    tok: Option<&str>,
    email: &str,
) -> Result<String, String> {
    let created = call(client, t, Method::POST, "/Users", tok, Some(user(email))).await?;
    created.body["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| "the probe user was not created".to_owned())
}

/// Best-effort cleanup of a probe user (`id` as the create response gave it, possibly absent):
/// a check's result never depends on it.
async fn remove_user(client: &reqwest::Client, t: &Target, tok: Option<&str>, id: &Value) {
    if let Some(id) = id.as_str() {
        let _ = call(
            client,
            t,
            Method::DELETE,
            &format!("/Users/{id}"),
            tok,
            None,
        )
        .await;
    }
}

async fn call(
    client: &reqwest::Client,
    t: &Target,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Result<Reply, String> {
    let mut request = client.request(
        method,
        format!("{}{path}", t.scim_url.trim_end_matches('/')),
    );
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(b) = body {
        request = request
            .header("content-type", "application/scim+json")
            .body(b.to_string());
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("no answer ({e})"))?;
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .to_owned();
    let bytes = response.bytes().await.unwrap_or_default();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Ok(Reply {
        status,
        content_type,
        body,
    })
}

/// The shape of an error body, in words.
fn error_form(body: &Value) -> &'static str {
    if body.pointer("/errors/0/message").is_some() {
        "Asana REST error body"
    } else if body.get("schemas").is_some() && body.get("status").is_some() {
        "SCIM error body"
    } else {
        "other body"
    }
}

/// A probe user's email: unique per run and side, so reruns do not collide.
fn probe_email(t: &Target, side: u8, tag: &str) -> String {
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("harness-probe-{tag}-{side}-{nonce}@{}", t.domain)
}

fn user(email: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": email,
        "name": {"formatted": "Harness Probe"},
        "emails": [{"primary": true, "value": email}],
        "active": true
    })
}

fn patch(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

async fn observe(client: &reqwest::Client, t: &Target, id: &str, side: u8) -> String {
    match observe_inner(client, t, id, side).await {
        Ok(s) => s,
        Err(e) => e,
    }
}

async fn observe_inner(
    client: &reqwest::Client,
    t: &Target,
    id: &str,
    side: u8,
) -> Result<String, String> {
    let tok = Some(t.token.as_str());
    Ok(match id {
        "auth_missing" => {
            let r = call(client, t, Method::GET, "/Users", None, None).await?;
            format!("{} {}", r.status.as_u16(), error_form(&r.body))
        }
        "auth_bad_token" => {
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
        "lookup_wire_form" => {
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
        "list_paging_fields" => {
            let r = call(
                client,
                t,
                Method::GET,
                "/Users?filter=userName+eq+%22never-existing-user%22&",
                tok,
                None,
            )
            .await?;
            let paging = r.body.get("startIndex").is_some() && r.body.get("itemsPerPage").is_some();
            if paging {
                "with startIndex and itemsPerPage".into()
            } else {
                "without startIndex or itemsPerPage".into()
            }
        }
        "content_type" => {
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
        "bad_filter" => {
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
        "undocumented_filter" => {
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
        "service_provider_config" => {
            let r = call(client, t, Method::GET, "/ServiceProviderConfig", tok, None).await?;
            format!(
                "{} patch={} bulk={}",
                r.status.as_u16(),
                r.body["patch"]["supported"],
                r.body["bulk"]["supported"]
            )
        }
        "search_endpoint" => {
            let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": "userName eq \"never-existing-user\""});
            call(client, t, Method::POST, "/.search", tok, Some(body))
                .await?
                .status
                .as_u16()
                .to_string()
        }
        "user_name_must_be_email" => {
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
        "create_response" => {
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
        "onelogin_schema_urns" => {
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
        "ignored_attributes" => {
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
        "duplicate_post" => {
            let email = probe_email(t, side, "dup");
            let first = call(client, t, Method::POST, "/Users", tok, Some(user(&email))).await?;
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
        "patch_name_parts" => {
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
        "delete_keeps_user" => {
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
            let after = call(client, t, Method::GET, &format!("/Users/{id}"), tok, None).await?;
            match after.status.as_u16() {
                200 => format!(
                    "DELETE {}, then kept with active={}",
                    deleted.status.as_u16(),
                    after.body["active"]
                ),
                s => format!("DELETE {}, then GET {s}", deleted.status.as_u16()),
            }
        }
        "reactivation" => {
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
        "group_member_patch" | "team_delete" => {
            let email = probe_email(t, side, "team");
            let member = create_user(client, t, tok, &email).await?;
            let team_name = probe_email(t, side, "team").replace('@', " ");
            let team = call(client, t, Method::POST, "/Groups", tok, Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": team_name}))).await?;
            let team_id = team.body["id"]
                .as_str()
                .map(str::to_owned)
                .or_else(|| team.body["id"].as_u64().map(|n| n.to_string()))
                .ok_or("the probe team was not created")?;
            let result = if id == "group_member_patch" {
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
        "guest_visibility" => {
            let email = probe_email(t, side, "guest")
                .replace(&format!("@{}", t.domain), "@harness-probe-guest.invalid");
            let created = call(client, t, Method::POST, "/Users", tok, Some(user(&email))).await?;
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
        other => format!("unknown check {other}"),
    })
}

/// The table people read.
pub fn render(rows: &[Row]) -> String {
    let mut out = String::new();
    let w = |s: &str, n: usize| format!("{s:<n$}");
    out.push_str(&format!(
        "{} {} {} {} {}\n",
        w("behaviour", 48),
        w("fact", 11),
        w("fake Asana", 36),
        w("endpoint", 36),
        "match"
    ));
    for r in rows {
        let verdict = if r.matches {
            "yes".to_owned()
        } else {
            format!(
                "NO{}",
                r.switch
                    .map(|s| format!(" (switch {s})"))
                    .unwrap_or_default()
            )
        };
        out.push_str(&format!(
            "{} {} {} {} {}\n",
            w(r.behaviour, 48),
            w(r.fact, 11),
            w(&r.expected, 36),
            w(&r.observed, 36),
            verdict
        ));
    }
    let differ = rows.iter().filter(|r| !r.matches).count();
    out.push_str(&format!(
        "\n{} of {} behaviours match the fake Asana",
        rows.len() - differ,
        rows.len()
    ));
    out
}
