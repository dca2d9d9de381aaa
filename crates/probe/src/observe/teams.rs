//! The checks on a probe team, and on a guest (a user off the organization's domains).

use reqwest::Method;
use serde_json::json;

use super::{Observation, Side};
use crate::endpoint::{ProbeError, patch, user};

/// A probe user and a probe team: the setup both team checks share.
async fn member_and_team(s: Side<'_>) -> Result<(String, String), ProbeError> {
    let member = s.create_user(&s.email("team")).await?;
    let team_name = s.email("team").replace('@', " ");
    let group = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": team_name
    });
    let team = s.call(Method::POST, "/Groups", Some(group)).await?;
    let team_id = team.body["id"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| team.body["id"].as_u64().map(|n| n.to_string()))
        .ok_or(ProbeError::NotCreated("team"))?;
    Ok((member, team_id))
}

pub(crate) fn group_member_patch(s: Side<'_>) -> Observation<'_> {
    Box::pin(async move {
        let (member, team) = member_and_team(s).await?;
        let ops = json!([{"op": "add", "path": "members", "value": [{"value": member}]}]);
        let r = s
            .call(Method::PATCH, &format!("/Groups/{team}"), Some(patch(ops)))
            .await?;
        s.remove_user(&json!(member)).await;
        Ok(r.status.as_u16().to_string())
    })
}

pub(crate) fn team_delete(s: Side<'_>) -> Observation<'_> {
    Box::pin(async move {
        let (member, team) = member_and_team(s).await?;
        let r = s
            .call(Method::DELETE, &format!("/Groups/{team}"), None)
            .await?;
        s.remove_user(&json!(member)).await;
        Ok(r.status.as_u16().to_string())
    })
}

pub(crate) fn guest_visibility(s: Side<'_>) -> Observation<'_> {
    Box::pin(async move {
        let email = s.email("guest").replace(
            &format!("@{}", s.endpoint.domain),
            "@harness-probe-guest.invalid",
        );
        let created = s.call(Method::POST, "/Users", Some(user(&email))).await?;
        let filter = format!(
            "/Users?filter=userName+eq+%22{}%22&",
            email.replace('@', "%40")
        );
        let found = s.call(Method::GET, &filter, None).await?;
        s.remove_user(&created.body["id"]).await;
        let visible = if found.body["totalResults"] == 0 {
            "invisible"
        } else {
            "visible"
        };
        Ok(format!("POST {}, then {visible}", created.status.as_u16()))
    })
}
