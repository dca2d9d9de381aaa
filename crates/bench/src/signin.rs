//! `sign-in`: the whole SAML round trip at load. Each operation is one IdP-initiated sign-in:
//! the fake OneLogin makes and signs an assertion (`POST /__admin/apps/{id}/sso/assertion`),
//! the fake Asana's ACS verifies it, finds the member and makes a session.
//!
//! Its ceiling is not the HTTP baseline but the RSA-2048 signature each sign-in needs, so the
//! row is stated against that: the same key signing a SignedInfo-sized message on every core,
//! measured right after, in the same process.

use std::sync::Arc;
use std::time::Instant;

use fake_asana::fixture::{OrganizationFixture, UserFixture};
use fake_asana::{FakeAsana, Fixture, RateLimits, SamlMode, SamlSettings};
use fake_onelogin::FakeOneLogin;
use serde_json::{Value, json};

use crate::load::{Job, drive, timed};
use crate::sizes::{Row, Sizes};
use crate::workloads::people;

pub(crate) async fn bench_sign_in(client: &reqwest::Client, sizes: &Sizes) -> Result<Row, String> {
    let people_count = sizes.sign_in_people.max(1);
    let email = |i: usize| format!("person{i}@bench.test");
    let asana = FakeAsana::builder()
        .fixture(Fixture {
            organizations: vec![OrganizationFixture {
                name: "Bench".into(),
                domains: vec!["bench.test".into()],
                view_only_licenses: false,
                users: (0..people_count)
                    .map(|i| UserFixture {
                        email: email(i),
                        name: Some(format!("Person {i}")),
                        title: None,
                        department: None,
                        deprovisioned: false,
                    })
                    .collect(),
                teams: Vec::new(),
                service_accounts: Vec::new(),
            }],
        })
        .rate_limits(RateLimits::OFF)
        .try_start()
        .await
        .map_err(|e| format!("sign-in: cannot start the fake Asana: {e}"))?;
    let onelogin = FakeOneLogin::builder()
        .directory(people((0..people_count).map(email), true))
        .try_start()
        .await
        .map_err(|e| format!("sign-in: cannot start the fake OneLogin: {e}"))?;
    // SHA-256 on the assertion: what admins are told to choose (fidelity/saml §2).
    onelogin
        .configure_sso(|s| {
            s.acs_url = Some(asana.acs_url());
            s.signature_algorithm = fake_onelogin::SignatureAlgorithm::RsaSha256;
        })
        .map_err(|e| e.to_string())?;
    let certificate = onelogin.idp_certificate_pem();
    asana
        .set_saml(SamlSettings {
            mode: SamlMode::Required,
            sign_in_url: Some(onelogin.sso_url()),
            certificate: Some(certificate),
            ..SamlSettings::default()
        })
        .map_err(|e| e.to_string())?;
    let ids: Arc<Vec<u64>> = Arc::new(onelogin.state().users.iter().map(|u| u.id).collect());
    let assertion_url = format!(
        "{}/__admin/apps/{}/sso/assertion",
        onelogin.uri(),
        onelogin.asana_app_id()
    );
    let job: Job = {
        let client = client.clone();
        Arc::new(move |i| {
            let (client, url, ids) = (client.clone(), assertion_url.clone(), ids.clone());
            Box::pin(async move {
                let start = Instant::now();
                let user = ids[i % ids.len()];
                let made = client
                    .post(&url)
                    .json(&json!({"user_id": user}))
                    .send()
                    .await;
                let form: Option<Value> = match made {
                    Ok(r) if r.status() == 200 => r.json().await.ok(),
                    _ => None,
                };
                let Some(form) = form else {
                    return vec![(start.elapsed(), false)];
                };
                let action = form["action"].as_str().unwrap_or_default().to_owned();
                let body = form_urlencoded::Serializer::new(String::new())
                    .append_pair("SAMLResponse", form["SAMLResponse"].as_str().unwrap_or(""))
                    .finish();
                let request = client
                    .post(action)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("accept", "application/json")
                    .body(body);
                let ((_, ok), answer) = timed(request, 200).await;
                let signed_in =
                    ok && answer.is_some_and(|b| crate::load::contains(&b, b"\"signed_in\""));
                vec![(start.elapsed(), signed_in)]
            })
        })
    };
    let load = drive(sizes.connections, sizes.sign_ins, job).await;
    let mut row = load.row("sign-in".into(), people_count);
    let ceiling = rsa_ceiling(sizes.sign_ins).await?;
    row.vs_baseline = Some(row.per_second / ceiling.max(f64::EPSILON));
    row.baseline_per_second = Some(ceiling);
    Ok(row)
}

/// RSA-2048 PKCS#1 v1.5 SHA-256 signatures per second, on every core: the ceiling of a
/// sign-in, which needs one.
async fn rsa_ceiling(signatures: usize) -> Result<f64, String> {
    let key = harness_saml::SigningKey::generate("bench", jiff::Timestamp::now())
        .map_err(|e| e.to_string())?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_core = signatures.div_ceil(cores).max(1);
    // A SignedInfo is about 600 bytes.
    let message = vec![b'x'; 600];
    let start = Instant::now();
    let mut threads = tokio::task::JoinSet::new();
    for _ in 0..cores {
        let (key, message) = (key.clone(), message.clone());
        threads.spawn_blocking(move || {
            for _ in 0..per_core {
                std::hint::black_box(
                    key.sign(harness_saml::SignatureAlgorithm::RsaSha256, &message),
                );
            }
        });
    }
    while threads.join_next().await.is_some() {}
    Ok((per_core * cores) as f64 / start.elapsed().as_secs_f64())
}
