//! The checks that create, change and deprovision probe users; each removes what it made.

use reqwest::Method;
use serde_json::json;

use super::{Observation, Side};
use crate::endpoint::{patch, user};

pub(crate) fn user_name_must_be_email(s: Side<'_>) -> Observation<'_> {
    Box::pin(async move {
        let name = s.email("noemail").replace('@', "-at-");
        let r = s.call(Method::POST, "/Users", Some(user(&name))).await?;
        if r.status.is_success() {
            s.remove_user(&r.body["id"]).await;
        }
        Ok(format!(
            "{} {}",
            r.status.as_u16(),
            r.body["scimType"].as_str().unwrap_or("")
        ))
    })
}

pub(crate) fn create_response(s: Side<'_>) -> Observation<'_> {
    Box::pin(async move {
        let email = s.email("create");
        let r = s.call(Method::POST, "/Users", Some(user(&email))).await?;
        s.remove_user(&r.body["id"]).await;
        let meta = if r.body.get("meta").is_some() {
            "with meta"
        } else {
            "without meta"
        };
        Ok(format!("{} {meta}", r.status.as_u16()))
    })
}

pub(crate) fn onelogin_schema_urns(s: Side<'_>) -> Observation<'_> {
    Box::pin(async move {
        let email = s.email("urns");
        let mut body = user(&email);
        body["schemas"] = json!([
            "urn:scim:schemas:core:2.0",
            "urn:scim:schemas:extension:enterprise:2.0"
        ]);
        let r = s.call(Method::POST, "/Users", Some(body)).await?;
        s.remove_user(&r.body["id"]).await;
        Ok(r.status.as_u16().to_string())
    })
}

pub(crate) fn ignored_attributes(s: Side<'_>) -> Observation<'_> {
    Box::pin(async move {
        let email = s.email("ignored");
        let mut body = user(&email);
        body["externalId"] = json!("harness-probe");
        body["locale"] = json!("en-GB");
        let r = s.call(Method::POST, "/Users", Some(body)).await?;
        s.remove_user(&r.body["id"]).await;
        let echoed = r.body.get("externalId").is_some() || r.body.get("locale").is_some();
        let echoed = if echoed { "echoed" } else { "dropped" };
        Ok(format!("{} {echoed}", r.status.as_u16()))
    })
}

pub(crate) fn duplicate_post(s: Side<'_>) -> Observation<'_> {
    Box::pin(async move {
        let email = s.email("dup");
        let first = s.call(Method::POST, "/Users", Some(user(&email))).await?;
        let second = s
            .call(Method::POST, "/Users", Some(user(&email.to_uppercase())))
            .await?;
        s.remove_user(&first.body["id"]).await;
        Ok(format!(
            "{} {}",
            second.status.as_u16(),
            second.body["scimType"].as_str().unwrap_or("")
        ))
    })
}

pub(crate) fn patch_name_parts(s: Side<'_>) -> Observation<'_> {
    Box::pin(async move {
        let id = s.create_user(&s.email("patch")).await?;
        let ops = json!([{"op": "replace", "path": "name.givenName", "value": "Changed"}]);
        let r = s
            .call(Method::PATCH, &format!("/Users/{id}"), Some(patch(ops)))
            .await?;
        s.remove_user(&json!(id)).await;
        let applied = if r.body["name"]["givenName"] == "Changed" {
            "applied"
        } else {
            "ignored"
        };
        Ok(format!("{} {applied}", r.status.as_u16()))
    })
}

pub(crate) fn delete_keeps_user(s: Side<'_>) -> Observation<'_> {
    Box::pin(async move {
        let id = s.create_user(&s.email("delete")).await?;
        let deleted = s
            .call(Method::DELETE, &format!("/Users/{id}"), None)
            .await?;
        let after = s.call(Method::GET, &format!("/Users/{id}"), None).await?;
        Ok(match after.status.as_u16() {
            200 => format!(
                "DELETE {}, then kept with active={}",
                deleted.status.as_u16(),
                after.body["active"]
            ),
            status => format!("DELETE {}, then GET {status}", deleted.status.as_u16()),
        })
    })
}

pub(crate) fn reactivation(s: Side<'_>) -> Observation<'_> {
    Box::pin(async move {
        let id = s.create_user(&s.email("react")).await?;
        let set_active = |active: bool| {
            Some(patch(
                json!([{"op": "replace", "value": {"active": active}}]),
            ))
        };
        let path = format!("/Users/{id}");
        s.call(Method::PATCH, &path, set_active(false)).await?;
        let r = s.call(Method::PATCH, &path, set_active(true)).await?;
        s.remove_user(&json!(id)).await;
        Ok(if r.status.is_success() {
            format!("{} active={}", r.status.as_u16(), r.body["active"])
        } else {
            format!("{} refused", r.status.as_u16())
        })
    })
}
