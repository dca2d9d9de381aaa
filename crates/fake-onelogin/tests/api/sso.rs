//! The identity provider: the SSO tab over the admin API, metadata, OneLogin's login and
//! portal, SP- and IdP-initiated sign-in, and the whole loop into the fake Asana.

use fake_asana::{SamlMode, SamlSettings};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::World;

/// A `SAMLResponse` as the XML it carries.
fn decoded(saml_response: &str) -> String {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(saml_response)
        .expect("base64");
    String::from_utf8(bytes).expect("UTF-8 XML")
}

/// A browser: no automatic redirects, one cookie per host kept by hand.
struct Browser {
    client: reqwest::Client,
    cookies: std::collections::HashMap<String, String>,
}

struct Page {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

impl Browser {
    fn new() -> Self {
        Browser {
            client: harness_tls::client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: Default::default(),
        }
    }

    fn host(url: &str) -> String {
        url.split('/').take(3).collect::<Vec<_>>().join("/")
    }

    async fn go(&mut self, method: Method, url: &str, form: Option<String>) -> Page {
        let host = Self::host(url);
        let mut r = self
            .client
            .request(method, url)
            .header("accept", "text/html");
        if let Some(c) = self.cookies.get(&host) {
            r = r.header("cookie", c);
        }
        if let Some(f) = form {
            r = r
                .header("content-type", "application/x-www-form-urlencoded")
                .body(f);
        }
        let r = r.send().await.unwrap();
        if let Some(c) = r.headers().get("set-cookie").and_then(|v| v.to_str().ok()) {
            self.cookies
                .insert(host.clone(), c.split(';').next().unwrap().to_owned());
        }
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(|l| {
                if l.starts_with('/') {
                    format!("{host}{l}")
                } else {
                    l.to_owned()
                }
            });
        Page {
            status: r.status(),
            location,
            body: r.text().await.unwrap(),
        }
    }

    async fn get(&mut self, url: &str) -> Page {
        self.go(Method::GET, url, None).await
    }

    async fn post(&mut self, url: &str, fields: &[(&str, &str)]) -> Page {
        let form = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.go(Method::POST, url, Some(form)).await
    }

    /// Submits the auto-posting form of an IdP answer, as the page's onload does.
    async fn submit_auto_post(&mut self, page: &Page) -> Page {
        let attr = |name: &str| {
            let marker = format!("name=\"{name}\" value=\"");
            page.body.split(&marker).nth(1).map(|rest| {
                rest.split('"')
                    .next()
                    .unwrap()
                    .replace("&amp;", "&")
                    .replace("&#x2F;", "/")
            })
        };
        let action = page
            .body
            .split("action=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        let mut fields = vec![("SAMLResponse".to_owned(), attr("SAMLResponse").unwrap())];
        if let Some(relay) = attr("RelayState") {
            fields.push(("RelayState".to_owned(), relay));
        }
        let refs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.post(&action, &refs).await
    }
}

/// Both sides configured as the KB article says: OneLogin's SSO tab pointed at the fake
/// Asana's ACS, Asana's Security tab given OneLogin's sign-in URL and certificate.
/// `POST /__admin/apps/{id}/sso/assertion` for the Asana app: the form OneLogin would post.
async fn assertion(world: &World, body: Value) -> crate::helpers::Reply {
    let app = world.onelogin.asana_app_id();
    world
        .admin(
            Method::POST,
            &format!("/apps/{app}/sso/assertion"),
            Some(body),
        )
        .await
}

async fn sso_world(mode: SamlMode) -> World {
    let world = World::connected().await;
    let acs = world.asana.acs_url();
    world
        .onelogin
        .configure_sso(|s| s.acs_url = Some(acs))
        .unwrap();
    world
        .asana
        .set_saml(SamlSettings {
            mode,
            sign_in_url: Some(world.onelogin.sso_url()),
            certificate: Some(world.onelogin.idp_certificate_pem()),
            ..SamlSettings::default()
        })
        .unwrap();
    world
}

#[tokio::test]
async fn the_sso_tab_shows_endpoints_certificates_and_keeps_settings() {
    let world = World::new().await;
    let app = world.onelogin.asana_app_id();
    let r = world
        .admin(Method::GET, &format!("/apps/{app}/sso"), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let origin = world.onelogin.uri();
    assert_eq!(
        r.body["issuer"],
        format!("https://app.onelogin.com/saml/metadata/{app}"),
        "OneLogin's own Issuer, whatever the host"
    );
    assert_eq!(r.body["issuer_form"], "onelogin");
    assert_eq!(
        r.body["metadata_url"],
        format!("{origin}/saml/metadata/{app}")
    );
    assert_eq!(
        r.body["sso_endpoint"],
        format!("{origin}/trust/saml2/http-post/sso/{app}")
    );
    assert_eq!(
        r.body["slo_endpoint"],
        format!("{origin}/trust/saml2/http-redirect/slo/{app}")
    );
    assert_eq!(r.body["audience"], "https://app.asana.com/");
    assert_eq!(r.body["signature_algorithm"], "rsa-sha1");
    assert_eq!(r.body["signature_element"], "assertion");
    assert_eq!(r.body["name_id"], "email");
    let certs = r.body["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 1);
    assert_eq!(certs[0]["in_use"], true);
    assert!(
        certs[0]["pem"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN CERTIFICATE-----")
    );
    assert!(
        !r.body.to_string().contains("PRIVATE KEY"),
        "no key on the wire"
    );

    let r = world
        .admin(
            Method::PUT,
            &format!("/apps/{app}/sso"),
            Some(json!({"signature_algorithm": "rsa-sha256", "signature_element": "both"})),
        )
        .await;
    assert_eq!(r.body["signature_algorithm"], "rsa-sha256");
    for bad in [
        json!({"signature_algorithm": "md5"}),
        json!({"acs_url": "ftp://x"}),
        json!({"nameid": "email"}),
    ] {
        let r = world
            .admin(Method::PUT, &format!("/apps/{app}/sso"), Some(bad.clone()))
            .await;
        assert!(r.status == 400 || r.status == 422, "{bad}: {}", r.body);
        assert!(
            r.body["message"].is_string(),
            "OneLogin's error shape: {}",
            r.body
        );
    }

    // Rotating keeps the old certificate listed until it is removed.
    let old = certs[0]["id"].as_u64().unwrap();
    let r = world
        .admin(
            Method::POST,
            &format!("/apps/{app}/sso/certificates/rotate"),
            None,
        )
        .await;
    assert_eq!(r.status, 201);
    let certs = r.body["certificates"].as_array().unwrap().clone();
    assert_eq!(certs.len(), 2);
    assert_eq!(certs[1]["id"], old);
    assert_eq!(certs[1]["in_use"], false);
    let current = certs[0]["id"].as_u64().unwrap();
    let r = world
        .admin(
            Method::DELETE,
            &format!("/apps/{app}/sso/certificates/{current}"),
            None,
        )
        .await;
    assert_eq!(r.status, 409, "the certificate in use cannot be removed");
    let r = world
        .admin(
            Method::DELETE,
            &format!("/apps/{app}/sso/certificates/{old}"),
            None,
        )
        .await;
    assert_eq!(r.status, 204);

    // Metadata lists what is in use.
    let metadata = world
        .client
        .get(format!("{origin}/saml/metadata/{app}"))
        .send()
        .await
        .unwrap();
    assert_eq!(metadata.status(), 200);
    let xml = metadata.text().await.unwrap();
    assert!(xml.contains(&format!(
        "entityID=\"https://app.onelogin.com/saml/metadata/{app}\""
    )));
    assert!(xml.contains(&format!(
        "Location=\"{origin}/trust/saml2/http-post/sso/{app}\""
    )));
    assert!(xml.contains("SingleLogoutService"));
    assert_eq!(xml.matches("<ds:X509Certificate>").count(), 1);
}

#[tokio::test]
async fn the_assertion_endpoint_signs_only_people_who_have_the_app() {
    let world = sso_world(SamlMode::Required).await;
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    let grace = world
        .create_user("grace@acme.test", "Grace", "Hopper")
        .await;
    world.assign(ada).await;

    let r = assertion(&world, json!({"user_id": ada, "relay_state": "/x"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["action"], world.asana.acs_url());
    assert_eq!(r.body["RelayState"], "/x");
    let xml = decoded(r.body["SAMLResponse"].as_str().unwrap());
    assert!(xml.contains(">ada@acme.test</saml:NameID>"));
    assert!(xml.contains("nameid-format:emailAddress"));
    assert!(xml.contains("http://www.w3.org/2000/09/xmldsig#rsa-sha1"));
    assert!(
        xml.contains(r#"NotBefore="2026-01-01T08:59:00Z""#),
        "one minute before, on the harness clock"
    );

    let r = assertion(&world, json!({"user_id": grace})).await;
    assert_eq!(r.status, 403);
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .contains("does not have access"),
        "{}",
        r.body
    );
    let r = assertion(&world, json!({"user": ada})).await;
    assert_eq!(r.status, 400);

    // NameID from the Parameters tab: Username.
    world
        .configure(json!({"parameters": {"name_id": "username", "scim_username": "email"}}))
        .await;
    let form = world.onelogin.assertion_form(ada, None, None).unwrap();
    let xml = decoded(&form.saml_response);
    assert!(xml.contains(">ada</saml:NameID>"));
    assert!(xml.contains("nameid-format:unspecified"));
}

/// The Issuer in responses and metadata is OneLogin's (`https://app.onelogin.com/...`) while
/// every URL is the fake's; the `local` form, a harness setting on the SSO tab and the builder,
/// names the fake's metadata URL instead.
#[tokio::test]
async fn the_issuer_is_onelogins_unless_the_local_form_is_chosen() {
    let world = sso_world(SamlMode::Required).await;
    let app = world.onelogin.asana_app_id();
    let origin = world.onelogin.uri();
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    world.assign(ada).await;
    world.onelogin.run_provisioning().await;
    let issuer_of = |xml: &str| -> Vec<String> {
        xml.split("Issuer>")
            .skip(1)
            .step_by(2)
            .map(|rest| rest.split('<').next().unwrap().to_owned())
            .collect()
    };
    let metadata = || async {
        world
            .client
            .get(world.onelogin.metadata_url())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };

    let onelogin = format!("https://app.onelogin.com/saml/metadata/{app}");
    assert_eq!(world.onelogin.issuer(), onelogin);
    assert_eq!(
        world.onelogin.metadata_url(),
        format!("{origin}/saml/metadata/{app}")
    );
    let r = assertion(&world, json!({"user_id": ada})).await;
    let xml = decoded(r.body["SAMLResponse"].as_str().unwrap());
    assert_eq!(
        issuer_of(&xml),
        [onelogin.clone(), onelogin.clone()],
        "{xml}"
    );
    assert!(
        metadata()
            .await
            .contains(&format!("entityID=\"{onelogin}\""))
    );

    let local = format!("{origin}/saml/metadata/{app}");
    let r = world
        .admin(
            Method::PUT,
            &format!("/apps/{app}/sso"),
            Some(json!({"issuer_form": "local"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["issuer"], local);
    assert_eq!(r.body["issuer_form"], "local");
    let r = assertion(&world, json!({"user_id": ada})).await;
    let xml = decoded(r.body["SAMLResponse"].as_str().unwrap());
    assert_eq!(issuer_of(&xml), [local.clone(), local.clone()], "{xml}");
    assert!(metadata().await.contains(&format!("entityID=\"{local}\"")));
    // Asana checks no Issuer: either form signs Ada in.
    let page = world
        .client
        .post(world.asana.acs_url())
        .header("accept", "application/json")
        .form(&[("SAMLResponse", r.body["SAMLResponse"].as_str().unwrap())])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200, "{}", page.text().await.unwrap());

    let r = world
        .admin(
            Method::PUT,
            &format!("/apps/{app}/sso"),
            Some(json!({"issuer_form": "example"})),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);

    let built = fake_onelogin::FakeOneLogin::builder()
        .issuer_form(fake_onelogin::IssuerForm::Local)
        .start()
        .await;
    let id = built.asana_app_id();
    assert_eq!(
        built.issuer(),
        format!("{}/saml/metadata/{id}", built.uri())
    );
}

/// The KB article end to end: provisioned, Ada signs in to OneLogin, clicks Asana (SP- and
/// IdP-initiated), lands signed in; deprovisioned, the same click is refused.
#[tokio::test]
async fn ada_signs_in_through_onelogin_and_after_offboarding_cannot() {
    let world = sso_world(SamlMode::Required).await;
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    world.assign(ada).await;
    world.onelogin.run_provisioning().await;
    assert!(world.asana.user("ada@acme.test").unwrap().is_active());

    let mut browser = Browser::new();
    // SP-initiated: Asana's sign-on URL sends her to OneLogin, which asks her to sign in.
    let start = browser.get(&world.asana.sign_on_url()).await;
    assert_eq!(start.status, 303);
    let to_idp = start.location.unwrap();
    assert!(to_idp.starts_with(&world.onelogin.sso_url()), "{to_idp}");
    let login = browser.get(&to_idp).await;
    assert_eq!(login.status, 303);
    let login_url = login.location.unwrap();
    assert!(login_url.contains("/login?return="));
    let form = browser.get(&login_url).await;
    assert!(form.body.contains("Sign in to OneLogin"));
    let return_to = form_urlencoded::parse(login_url.split_once('?').unwrap().1.as_bytes())
        .find(|(k, _)| k == "return")
        .unwrap()
        .1
        .into_owned();
    let wrong = browser
        .post(
            &format!("{}/login", world.onelogin.uri()),
            &[
                ("username", "ada@acme.test"),
                ("password", "nope"),
                ("return", &return_to),
            ],
        )
        .await;
    assert_eq!(wrong.status, 401);
    let signed_in = browser
        .post(
            &format!("{}/login", world.onelogin.uri()),
            &[
                ("username", "ada@acme.test"),
                ("password", fake_onelogin::PASSWORD),
                ("return", &return_to),
            ],
        )
        .await;
    assert_eq!(signed_in.status, 303);
    let answer = browser.get(&signed_in.location.unwrap()).await;
    assert_eq!(answer.status, 200);
    assert!(answer.body.contains("document.forms[0].submit()"));
    let acs = browser.submit_auto_post(&answer).await;
    assert_eq!(acs.status, 303, "{}", acs.body);
    let home = acs.location.unwrap();
    assert!(home.ends_with("/-/home"), "{home}");
    let landed = browser.get(&home).await;
    assert_eq!(landed.status, 200, "{}", landed.body);
    assert!(
        landed
            .body
            .contains(r#"id="signed-in" data-email="ada@acme.test""#),
        "{}",
        landed.body
    );

    // IdP-initiated: the portal lists Asana; its link signs her in again.
    let portal = browser
        .get(&format!("{}/portal", world.onelogin.uri()))
        .await;
    assert!(portal.body.contains("class=\"app\""), "{}", portal.body);
    let answer = browser.get(&world.onelogin.sso_url()).await;
    let landed = browser.submit_auto_post(&answer).await;
    assert_eq!(
        landed.status, 303,
        "signed in and sent home: {}",
        landed.body
    );

    // Removed from the role: the Delete policy deprovisions her in Asana, and OneLogin no
    // longer has the app for her.
    world.unassign(ada).await;
    world.onelogin.run_provisioning().await;
    assert!(!world.asana.user("ada@acme.test").unwrap().is_active());
    let refused = browser.get(&world.onelogin.sso_url()).await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("does not have access"));
    // And an assertion made anyway (re-assigned in OneLogin, Asana not yet told) is refused by
    // Asana: she is deprovisioned there.
    world.assign(ada).await;
    let answer = browser.get(&world.onelogin.sso_url()).await;
    let landed = browser.submit_auto_post(&answer).await;
    assert_eq!(landed.status, 403);
    assert!(
        landed.body.contains(r#"data-reason="deprovisioned""#),
        "{}",
        landed.body
    );
}

#[tokio::test]
async fn authn_requests_from_another_service_provider_are_refused() {
    let world = sso_world(SamlMode::Required).await;
    let request = harness_saml::AuthnRequest {
        id: "_evil".into(),
        issuer: "https://evil.example/".into(),
        issue_instant: world.clock.now(),
        destination: None,
        acs_url: Some("https://evil.example/acs".into()),
    };
    let url = format!(
        "{}?{}",
        world.onelogin.sso_url(),
        form_urlencoded::Serializer::new(String::new())
            .append_pair(
                "SAMLRequest",
                &request.encode(harness_saml::Binding::Redirect)
            )
            .finish()
    );
    let r = world.client.get(url).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let page = r.text().await.unwrap();
    assert!(page.contains("https://evil.example/"), "{page}");
    let garbage = format!("{}?SAMLRequest=%25%25", world.onelogin.sso_url());
    let r = world.client.get(garbage).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = json!(r.text().await.unwrap());
    assert!(body.as_str().unwrap().contains("cannot read"));
}

/// An AuthnRequest over the POST binding: answered with InResponseTo and the RelayState kept,
/// once the person has a OneLogin session; before that, OneLogin asks them to sign in and comes
/// back with the request (as a Redirect-binding one).
#[tokio::test]
async fn the_post_binding_keeps_the_request_and_the_relay_state() {
    let world = sso_world(SamlMode::Required).await;
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    world.assign(ada).await;
    let request = harness_saml::AuthnRequest {
        id: "_post1".into(),
        issuer: "https://app.asana.com/".into(),
        issue_instant: world.clock.now(),
        destination: Some(world.onelogin.sso_url()),
        acs_url: Some(world.asana.acs_url()),
    };
    let encoded = request.encode(harness_saml::Binding::Post);
    let fields = [("SAMLRequest", encoded.as_str()), ("RelayState", "/0/home")];
    let mut browser = Browser::new();
    let first = browser.post(&world.onelogin.sso_url(), &fields).await;
    assert_eq!(first.status, 303);
    let login = first.location.unwrap();
    let back = form_urlencoded::parse(login.split_once('?').unwrap().1.as_bytes())
        .find(|(k, _)| k == "return")
        .unwrap()
        .1
        .into_owned();
    assert!(
        back.contains("SAMLRequest=") && back.contains("RelayState=%2F0%2Fhome"),
        "{back}"
    );

    browser
        .post(
            &format!("{}/login", world.onelogin.uri()),
            &[("username", "ada"), ("password", fake_onelogin::PASSWORD)],
        )
        .await;
    let answer = browser.post(&world.onelogin.sso_url(), &fields).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(
        answer.body.contains(r#"name="RelayState" value="/0/home""#),
        "{}",
        answer.body
    );
    let response = answer
        .body
        .split("name=\"SAMLResponse\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let xml = decoded(response);
    assert!(xml.contains(r#"InResponseTo="_post1""#));
    // Asana answers it: the request is one it did not send, so it is refused as unknown.
    let landed = browser.submit_auto_post(&answer).await;
    assert_eq!(landed.status, 403);
    assert!(landed.body.contains(r#"data-reason="unknown_request""#));
}

/// NameID mapped to another attribute (External ID): its value goes out, format unspecified;
/// a user without one gets no assertion, and the page says why.
#[tokio::test]
async fn the_name_id_can_be_any_mapped_attribute() {
    let world = sso_world(SamlMode::Required).await;
    let ada = world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    let grace = world
        .create_user("grace@acme.test", "Grace", "Hopper")
        .await;
    world.assign(ada).await;
    world.assign(grace).await;
    world
        .update_user(ada, json!({"external_id": "E-1815"}))
        .await;
    world
        .configure(json!({"parameters": {"name_id": "external_id", "scim_username": "email"}}))
        .await;
    let form = world.onelogin.assertion_form(ada, None, None).unwrap();
    let xml = decoded(&form.saml_response);
    assert!(
        xml.contains("nameid-format:unspecified\">E-1815</saml:NameID>"),
        "{xml}"
    );
    let refused = world
        .onelogin
        .assertion_form(grace, None, None)
        .unwrap_err();
    assert!(
        refused.to_string().contains("has no External ID"),
        "{refused}"
    );
    let r = assertion(&world, json!({"user_id": grace})).await;
    assert_eq!(r.status, 403);
}

/// Bad input on the admin API answers in OneLogin's shape, never axum's plain text: an id that
/// is not UTF-8 in a two-id path, an unknown app on the SSO endpoints (a 404, not a sign-in
/// refusal), a method the open endpoints do not take. And the OpenAPI document is served as
/// committed.
#[tokio::test]
async fn bad_admin_requests_answer_in_onelogins_shape() {
    let w = World::new().await;
    let app = w.onelogin.asana_app_id();
    let is_error = |r: &crate::helpers::Reply, status: StatusCode| {
        assert_eq!(r.status, status, "{}", r.body);
        assert_eq!(r.body["statusCode"], status.as_u16(), "{}", r.body);
        assert!(r.body["name"].is_string() && r.body["message"].is_string());
    };
    for (method, path) in [
        (Method::POST, format!("/users/%ff/apps/{app}")),
        (Method::DELETE, format!("/apps/{app}/sso/certificates/%ff")),
        (Method::GET, "/apps/999/sso".to_owned()),
        (Method::POST, "/apps/999/sso/certificates/rotate".to_owned()),
    ] {
        let r = w.admin(method, &path, None).await;
        is_error(&r, StatusCode::NOT_FOUND);
    }
    let r = w
        .admin(
            Method::POST,
            "/apps/999/sso/assertion",
            Some(json!({"user_id": 1})),
        )
        .await;
    is_error(&r, StatusCode::NOT_FOUND);
    for path in ["/health", "/openapi.json"] {
        let r = w.admin(Method::POST, path, None).await;
        is_error(&r, StatusCode::METHOD_NOT_ALLOWED);
    }
    let r = w
        .admin(Method::PATCH, &format!("/apps/{app}/sso"), None)
        .await;
    is_error(&r, StatusCode::METHOD_NOT_ALLOWED);
    let r = w.admin(Method::GET, "/openapi.json", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let committed: Value =
        serde_json::from_str(include_str!("../../../../docs/openapi/fake-onelogin.json")).unwrap();
    assert_eq!(r.body, committed);
}
