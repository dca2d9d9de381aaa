//! The admin console: every page pinned as an HTML snapshot, and its actions going through the
//! same code as the APIs.

use reqwest::StatusCode;

use crate::helpers::World;

/// Snapshots show the pages as a person sees them; ports and tokens are masked.
fn masked(world: &World, html: String) -> String {
    html.replace(&world.asana.uri(), "http://fake-asana")
        .replace(&world.sa.token, "[token]")
}

#[tokio::test]
async fn the_kb_article_through_the_console() {
    let world = World::new().await;
    let app = world.onelogin.asana_app_id();
    insta::assert_snapshot!("console_apps", world.page("/admin/apps").await);
    insta::assert_snapshot!(
        "console_configuration_disabled",
        world
            .page(&format!("/admin/apps/{app}/configuration"))
            .await
    );

    // Configuration: paste the token, Save (the tab says it saved), Enable.
    let (_, html) = world
        .submit(
            &format!("/admin/apps/{app}/configuration"),
            &[("token", &world.sa.token)],
        )
        .await;
    assert!(
        html.contains("<p class=\"notice ok\" role=\"status\">API connection saved.</p>"),
        "{html}"
    );
    let (_, html) = world
        .submit(&format!("/admin/apps/{app}/enable"), &[])
        .await;
    assert!(html.contains("class=\"status-connected\""), "{html}");
    insta::assert_snapshot!("console_configuration_connected", masked(&world, html));

    // Provisioning: enable, approvals for Create and Delete, Delete on delete.
    let (_, html) = world
        .submit(
            &format!("/admin/apps/{app}/provisioning"),
            &[
                ("enabled", "on"),
                ("approve_create", "on"),
                ("approve_delete", "on"),
                ("on_delete", "delete"),
                ("on_suspend", "suspend"),
            ],
        )
        .await;
    assert!(html.contains("Provisioning settings saved."), "{html}");
    insta::assert_snapshot!("console_provisioning_tab", html);
    let visited = world.page(&format!("/admin/apps/{app}/provisioning")).await;
    assert!(
        !visited.contains("saved."),
        "a plain visit confirms nothing"
    );
    let config = world.onelogin.asana_config();
    assert!(
        config.enabled
            && config.require_approval.create
            && config.require_approval.delete
            && !config.require_approval.update
    );
    insta::assert_snapshot!(
        "console_parameters_tab",
        world.page(&format!("/admin/apps/{app}/parameters")).await
    );

    // Users: create one and give them the role.
    let (_, html) = world
        .submit(
            "/admin/users",
            &[
                ("firstname", "Ada"),
                ("lastname", "Lovelace"),
                ("email", "ada@acme.test"),
                ("username", ""),
            ],
        )
        .await;
    assert!(html.contains("<h1>Ada Lovelace</h1>"));
    let ada = world.onelogin.user_by_email("ada@acme.test").unwrap().id;
    let role = world.role.to_string();
    let (_, html) = world
        .submit(&format!("/admin/users/{ada}/roles"), &[("role", &role)])
        .await;
    assert!(
        html.contains("<a href=\"/admin/provisioning\">Pending</a>"),
        "the Applications tab says Pending"
    );
    insta::assert_snapshot!("console_user_pending", html);
    insta::assert_snapshot!("console_users", world.page("/admin/users").await);

    // Users > Provisioning: approve.
    let queue = world.page("/admin/provisioning").await;
    insta::assert_snapshot!("console_provisioning_queue_pending", queue);
    let task = world.last_task(ada).await["id"].as_u64().unwrap();
    let (_, html) = world
        .submit(&format!("/admin/provisioning/{task}/approve"), &[])
        .await;
    assert!(
        html.contains(&format!("<tr id=\"task-{task}\">")) && html.contains("Provisioned"),
        "{html}"
    );
    assert!(
        world.asana_user("ada@acme.test").unwrap().is_active(),
        "approved and provisioned before the page came back"
    );
    assert!(
        world
            .page(&format!("/admin/users/{ada}"))
            .await
            .contains("<td class=\"provisioning-state\" data-app=\"Asana\">Provisioned</td>")
    );

    // Delete the user: the delete waits for approval, then deprovisions.
    world
        .submit(&format!("/admin/users/{ada}/delete"), &[])
        .await;
    let task = world.last_task(ada).await;
    assert_eq!(
        (task["action"].as_str(), task["status"].as_str()),
        (Some("delete"), Some("pending"))
    );
    world
        .submit(&format!("/admin/provisioning/{}/approve", task["id"]), &[])
        .await;
    assert!(!world.asana_user("ada@acme.test").unwrap().is_active());
    insta::assert_snapshot!("console_roles", world.page("/admin/roles").await);
}

#[tokio::test]
async fn console_errors_are_pages_not_500s() {
    let world = World::new().await;
    for (path, status) in [
        ("/admin/users/999999", StatusCode::NOT_FOUND),
        ("/admin/apps/abc/configuration", StatusCode::NOT_FOUND),
        ("/admin/nowhere", StatusCode::NOT_FOUND),
    ] {
        let r = world
            .client
            .get(format!("{}{path}", world.onelogin.uri()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{path}");
        assert!(r.text().await.unwrap().contains("Something went wrong"));
    }
    let (status, html) = world.submit("/admin/provisioning/123/approve", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Something went wrong"));
    let (status, _) = world.submit("/admin/users", &[("email", "")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let app = world.onelogin.asana_app_id();
    let (status, _) = world
        .submit(
            &format!("/admin/apps/{app}/provisioning"),
            &[("on_delete", "archive")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_sso_tab_shows_endpoints_rotates_and_saves() {
    let world = World::new().await;
    let app = world.onelogin.asana_app_id();
    let tab = format!("/admin/apps/{app}/sso");
    let page = world.page(&tab).await;
    for label in [
        "Issuer URL",
        "SAML 2.0 Endpoint (HTTP)",
        "SLO Endpoint (HTTP)",
        "SAML Signature Algorithm",
        "SAML signature element",
        "More Actions › SAML Metadata",
    ] {
        assert!(page.contains(label), "{label}");
    }
    assert!(page.contains(&world.onelogin.sso_url()));

    let acs = world.asana.acs_url();
    let (status, saved) = world
        .submit(
            &tab,
            &[
                ("acs_url", acs.as_str()),
                ("audience", "https://app.asana.com/"),
                ("signature_algorithm", "rsa-sha256"),
                ("signature_element", "both"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        saved.contains("Service provider settings saved."),
        "{saved}"
    );
    let sso = world.onelogin.sso();
    assert_eq!(sso.acs_url.as_deref(), Some(acs.as_str()));
    assert_eq!(
        sso.signature_algorithm,
        fake_onelogin::SignatureAlgorithm::RsaSha256
    );
    assert_eq!(sso.signature_element, fake_onelogin::SignatureElement::Both);

    let old = sso.certificates[0].clone();
    let (_, page) = world.submit(&format!("{tab}/rotate"), &[]).await;
    let certs = world.onelogin.sso().certificates;
    assert_eq!(certs.len(), 2);
    assert_eq!(certs[1].id, old.id, "the old certificate is still listed");
    assert_eq!(page.matches("<strong>In use</strong>").count(), 1);

    let details = world
        .page(&format!("{tab}/certificates/{}", certs[0].id))
        .await;
    let fingerprint = harness_saml::Certificate::from_pem(&certs[0].certificate)
        .unwrap()
        .sha1_fingerprint();
    assert!(details.contains(&fingerprint));
    let pem = world
        .client
        .get(format!(
            "{}{tab}/certificates/{}/download",
            world.onelogin.uri(),
            certs[0].id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(pem.headers()["content-type"], "application/x-pem-file");
    assert_eq!(pem.text().await.unwrap(), certs[0].certificate);

    let (status, _) = world
        .submit(&format!("{tab}/certificates/{}/remove", certs[0].id), &[])
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "the one in use stays");
    world
        .submit(&format!("{tab}/certificates/{}/remove", old.id), &[])
        .await;
    assert_eq!(world.onelogin.sso().certificates.len(), 1);
}

/// A control with nothing to offer is disabled and says why, rather than post to an error.
#[tokio::test]
async fn add_app_is_disabled_once_every_app_is_assigned_directly() {
    let world = World::new().await;
    let app = world.onelogin.asana_app_id().to_string();
    let (_, html) = world
        .submit(
            "/admin/users",
            &[
                ("firstname", "Ada"),
                ("lastname", "Lovelace"),
                ("email", "ada@acme.test"),
            ],
        )
        .await;
    assert!(
        html.contains("<button type=\"submit\" id=\"add-app\">Add App</button>"),
        "{html}"
    );
    let ada = world.onelogin.user_by_email("ada@acme.test").unwrap().id;
    let (_, html) = world
        .submit(&format!("/admin/users/{ada}/apps"), &[("app", &app)])
        .await;
    assert!(
        html.contains("<select id=\"app\" name=\"app\" disabled></select><button type=\"submit\" id=\"add-app\" disabled>Add App</button>"),
        "{html}"
    );
    assert!(
        html.contains("<span class=\"hint\" id=\"add-app-hint\">Every app is already assigned to this user directly.</span>"),
        "{html}"
    );
}
