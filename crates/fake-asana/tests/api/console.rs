//! The admin console: every page pinned as an HTML snapshot, and its actions doing what the
//! admin API does.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, id_of};

impl TestApp {
    /// A console page, which must answer 200, its CSRF token written `[csrf]`: a fresh browser
    /// gets a new one each time.
    pub async fn page(&self, path: &str) -> String {
        let r = self
            .client
            .get(format!("{}{path}", self.asana.uri()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let html = r.text().await.unwrap();
        match csrf_field(&html) {
            Some(token) => html.replace(&token, "[csrf]"),
            None => html,
        }
    }

    /// What a browser holds once it has loaded a console page: the CSRF cookie and the token
    /// the page's forms carry.
    pub async fn console_session(&self) -> (String, String) {
        let r = self
            .client
            .get(format!("{}/admin/service-accounts", self.asana.uri()))
            .send()
            .await
            .unwrap();
        let cookie = r.headers()["set-cookie"].to_str().unwrap();
        let cookie = cookie.split(';').next().unwrap().to_owned();
        let token = csrf_field(&r.text().await.unwrap()).expect("the page's forms carry a token");
        (cookie, token)
    }

    /// A console form, posted as a browser would: after loading a page, with its cookie and the
    /// token its forms carry.
    pub async fn submit(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let (cookie, token) = self.console_session().await;
        let mut fields = form.to_vec();
        fields.push(("csrf", &token));
        self.client
            .post(format!("{}{path}", self.asana.uri()))
            .header("cookie", cookie)
            .form(&fields)
            .send()
            .await
            .unwrap()
    }
}

/// The value of the first hidden `csrf` field of a page.
pub fn csrf_field(html: &str) -> Option<String> {
    let rest = html.split(r#"name="csrf" value=""#).nth(1)?;
    Some(rest.split('"').next()?.to_owned())
}

#[tokio::test]
async fn service_accounts_tab_adds_names_and_deletes() {
    let app = TestApp::new().await;
    insta::assert_snapshot!(
        "console_service_accounts",
        app.page("/admin/service-accounts").await
    );

    let dialog = app
        .submit("/admin/service-accounts", &[("scope", "full")])
        .await
        .text()
        .await
        .unwrap();
    let token = dialog
        .split("<code id=\"token\">")
        .nth(1)
        .unwrap()
        .split("</code>")
        .next()
        .unwrap()
        .to_owned();
    assert!(
        dialog.contains("<dialog open"),
        "the token is shown in the Edit dialog"
    );
    let csrf = csrf_field(&dialog).expect("the dialog's form carries the token");
    insta::assert_snapshot!(
        "console_service_account_added",
        dialog.replace(&token, "[token]").replace(&csrf, "[csrf]")
    );
    let full = app.rest_as(&token, Method::GET, "/users/me", None).await;
    assert_eq!(
        full.status,
        StatusCode::OK,
        "the console's token works, with full permissions"
    );

    let id = full.body["data"]["gid"].as_str().unwrap().to_owned();
    let saved = app
        .submit(
            &format!("/admin/service-accounts/{id}/edit"),
            &[("name", "Okta")],
        )
        .await;
    assert!(
        saved.url().path().ends_with("/admin/service-accounts"),
        "Save Changes returns to the list"
    );
    let list = app.admin(Method::GET, "/service-accounts", None).await;
    assert!(
        list.body
            .as_array()
            .unwrap()
            .iter()
            .any(|sa| sa["name"] == "Okta")
    );
    assert!(
        !app.page("/admin/service-accounts").await.contains(&token),
        "shown once only"
    );

    app.submit(&format!("/admin/service-accounts/{id}/delete"), &[])
        .await;
    assert_eq!(
        app.rest_as(&token, Method::GET, "/users/me", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let missing = app.submit("/admin/service-accounts/999/delete", &[]).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(
        missing
            .text()
            .await
            .unwrap()
            .contains("<h1>Something went wrong</h1>")
    );
}

#[tokio::test]
async fn members_show_the_deprovisioned_with_when_and_why() {
    let app = TestApp::new().await;
    app.create_user("grace@acme.test", "Grace Hopper").await;
    let ada = id_of(&app.create_user("ada@acme.test", "Ada Lovelace").await);
    app.scim(Method::DELETE, &format!("/Users/{ada}"), None)
        .await;
    app.create_user("cleo@agency.test", "Cleo Contractor").await;
    let html = app.page("/admin/members").await;
    assert!(html.contains("<td class=\"member-status\">Deprovisioned</td>"));
    assert!(html.contains("via scim_delete"));
    insta::assert_snapshot!("console_members", html);
}

#[tokio::test]
async fn teams_page() {
    let app = TestApp::new().await;
    let grace = id_of(&app.create_user("grace@acme.test", "Grace Hopper").await);
    app.scim(
        Method::POST,
        "/Groups",
        Some(json!({"displayName": "Engineering", "members": [{"value": grace}]})),
    )
    .await;
    insta::assert_snapshot!("console_teams", app.page("/admin/teams").await);
}

#[tokio::test]
async fn security_tab_saves_saml_settings_as_the_admin_api_does() {
    let app = TestApp::new().await;
    let cert = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/saml/idp.cert.pem"
    ))
    .unwrap();
    let refused = app
        .submit(
            "/admin/security",
            &[("mode", "required"), ("sign_in_url", "")],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(refused.contains("sign-in page URL"), "{refused}");
    let saved = app
        .submit(
            "/admin/security",
            &[
                ("mode", "required"),
                (
                    "sign_in_url",
                    "http://127.0.0.1:9/trust/saml2/http-post/sso/1",
                ),
                ("certificate", &cert),
                ("session_timeout_hours", "12"),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(saved.contains("SAML settings saved."));
    let r = app.admin(Method::GET, "/saml", None).await;
    assert_eq!(r.body["mode"], "required");
    assert_eq!(r.body["session_timeout_hours"], 12);
    assert!(saved.contains(r.body["certificate_sha1"].as_str().unwrap()));
    let page = app
        .page("/admin/security")
        .await
        .replace(&app.asana.uri(), "http://[fake-asana]");
    insta::assert_snapshot!("console_security", page);
}
