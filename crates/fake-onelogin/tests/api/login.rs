//! OneLogin's login form and where it sends people: only to a path on the fake itself, whatever
//! `return` says, and no input to the login or SSO endpoints gets a 500.

use reqwest::StatusCode;

use crate::helpers::World;

/// A client that shows redirects instead of following them.
fn no_redirects() -> reqwest::Client {
    harness_tls::client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// `POST /login` with this raw form body; the status and `Location`.
async fn login_with(world: &World, body: &str) -> (StatusCode, Option<String>, String) {
    let r = no_redirects()
        .post(format!("{}/login", world.onelogin.uri()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    (r.status(), location, r.text().await.unwrap())
}

fn form(return_to: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("username", "ada@acme.test")
        .append_pair("password", fake_onelogin::PASSWORD)
        .append_pair("return", return_to)
        .finish()
}

/// `return` values that would leave the host, or that no `Location` header can carry.
fn hostile_returns() -> Vec<String> {
    vec![
        "/\\evil.example/x".into(),
        "\\/evil.example/x".into(),
        "/x\\y".into(),
        "//evil.example/x".into(),
        "///evil.example".into(),
        "https://evil.example/".into(),
        "evil.example".into(),
        "".into(),
        "/\t/evil.example/x".into(),
        "/\tevil".into(),
        "/x\ny".into(),
        "/x\r\nSet-Cookie: a=b".into(),
        "/x\r".into(),
        "/portal\n".into(),
        "/x\u{1}".into(),
        "/x\u{1f}".into(),
        "/x\u{7f}".into(),
        "/x y".into(),
        "/é".into(),
        format!("/{}", "a".repeat(9000)),
    ]
}

#[tokio::test]
async fn a_login_goes_back_only_to_a_path_on_this_host() {
    let world = World::new().await;
    world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    for hostile in hostile_returns() {
        let (status, location, body) = login_with(&world, &form(&hostile)).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{hostile:?}: {body}");
        assert_eq!(location.as_deref(), Some("/portal"), "{hostile:?}");
    }
    for fine in [
        "/portal",
        "/portal?tab=apps",
        "/trust/saml2/http-post/sso/100001?SAMLRequest=fZJBb%2B&RelayState=%2F0%2Fhome",
    ] {
        let (status, location, _) = login_with(&world, &form(fine)).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{fine}");
        assert_eq!(location.as_deref(), Some(fine));
    }
}

/// The same values written percent-encoded by hand, as a page or script might post them.
#[tokio::test]
async fn percent_encoded_returns_are_judged_once_decoded() {
    let world = World::new().await;
    world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    let credentials = format!(
        "username=ada%40acme.test&password={}",
        fake_onelogin::PASSWORD
    );
    for encoded in [
        "%2F%5Cevil.example%2Fx",
        "/%5Cevil.example/x",
        "%2F%2Fevil.example",
        "%2F%09%2Fevil.example",
        "/%09evil",
        "/x%0Ay",
        "/x%0D%0ASet-Cookie:%20a=b",
        "/x%00",
        "/x%7F",
        "/x+y",
        "%2F%C3%A9",
        "%FF%FE",
    ] {
        let (status, location, body) =
            login_with(&world, &format!("{credentials}&return={encoded}")).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{encoded}: {body}");
        assert_eq!(location.as_deref(), Some("/portal"), "{encoded}");
    }
    let (_, location, _) = login_with(
        &world,
        &format!("{credentials}&return=%2Fportal%3Ftab%3Dapps"),
    )
    .await;
    assert_eq!(location.as_deref(), Some("/portal?tab=apps"));
}

/// The form's hidden field, and the form shown again after a wrong password, carry only a
/// `return` the login would follow.
#[tokio::test]
async fn the_login_form_carries_only_a_safe_return() {
    let world = World::new().await;
    world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    let field = |page: &str| {
        page.split(r#"name="return" value=""#)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(str::to_owned)
    };
    for (query, expected) in [
        ("return=%2F%5Cevil.example%2Fx", "/portal"),
        ("return=%2F%09%2Fevil.example", "/portal"),
        ("return=%2Fx%0Ay", "/portal"),
        ("return=https%3A%2F%2Fevil.example", "/portal"),
        ("return=%ZZ", "/portal"),
        ("return=%2Fportal%3Ftab%3Dapps", "/portal?tab=apps"),
        ("", "/portal"),
    ] {
        let r = no_redirects()
            .get(format!("{}/login?{query}", world.onelogin.uri()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{query}");
        let page = r.text().await.unwrap();
        assert_eq!(field(&page).as_deref(), Some(expected), "{query}");
    }
    let wrong = "username=ada%40acme.test&password=nope&return=%2F%5Cevil.example";
    let (status, _, page) = login_with(&world, wrong).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(field(&page).as_deref(), Some("/portal"));
}

/// Odd bytes, encodings and sizes at every endpoint a person's browser reaches: refusals, never
/// a server error.
#[tokio::test]
async fn no_input_to_the_login_or_sso_endpoints_is_a_server_error() {
    let world = World::new().await;
    world.create_user("ada@acme.test", "Ada", "Lovelace").await;
    let app = world.onelogin.asana_app_id();
    let client = no_redirects();
    let base = world.onelogin.uri();
    let long = "A".repeat(20_000);
    let bodies: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"return".to_vec(),
        b"=&&=%".to_vec(),
        b"username=%FF%FE&password=%00&return=%0D%0A".to_vec(),
        vec![0xff, 0xfe, 0x00, b'=', 0x0a],
        format!("SAMLRequest={long}&RelayState={long}").into_bytes(),
        b"SAMLRequest=%25%25&RelayState=%0D%0A".to_vec(),
        format!("username=ada%40acme.test&password=harness-password&return=/{long}").into_bytes(),
    ];
    let queries = [
        "",
        "?return=%0D%0A",
        "?return=%FF",
        "?SAMLRequest=%ZZ",
        "?SAMLRequest=AAAA&RelayState=%0A",
        "?%%%",
    ];
    let paths = [
        "/login".to_owned(),
        "/logout".to_owned(),
        "/portal".to_owned(),
        format!("/saml/metadata/{app}"),
        "/saml/metadata/%FF".to_owned(),
        "/saml/metadata/99999999999999999999999".to_owned(),
        format!("/trust/saml2/http-post/sso/{app}"),
        "/trust/saml2/http-post/sso/x".to_owned(),
        format!("/trust/saml2/http-redirect/slo/{app}"),
    ];
    for path in &paths {
        for query in queries {
            let url = format!("{base}{path}{query}");
            let r = client.get(&url).send().await.unwrap();
            assert!(r.status().as_u16() < 500, "GET {url}: {}", r.status());
            for body in &bodies {
                let r = client
                    .post(&url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("cookie", "onelogin_session=%0A; onelogin_session=x")
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                assert!(r.status().as_u16() < 500, "POST {url}: {}", r.status());
            }
        }
    }
}
