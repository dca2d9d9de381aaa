//! The probe against the fake itself: the `asana` profile matches everywhere; the `rfc` profile
//! differs exactly where a fidelity switch is involved.

use fake_asana::{FakeAsana, Profile, Scope};
use harness_probe::{Endpoint, probe};

async fn target(profile: Profile) -> (FakeAsana, Endpoint) {
    let asana = FakeAsana::builder().profile(profile).start().await;
    let sa = asana.create_service_account("probe", Scope::Scim);
    let t = Endpoint {
        scim_url: asana.scim_url(),
        token: sa.token,
        domain: "acme.test".into(),
    };
    (asana, t)
}

#[tokio::test]
async fn the_asana_profile_matches_every_behaviour() {
    let (_asana, t) = target(Profile::Asana).await;
    let rows = probe(&harness_tls::client::new(), &t, true).await;
    assert!(rows.len() >= 15);
    for r in &rows {
        assert!(
            r.matches,
            "{}: fake {} vs endpoint {}",
            r.id, r.expected, r.observed
        );
    }
}

#[tokio::test]
async fn the_rfc_profile_differs_exactly_where_a_switch_is() {
    let (_asana, t) = target(Profile::Rfc).await;
    let rows = probe(&harness_tls::client::new(), &t, true).await;
    for r in &rows {
        assert_eq!(
            !r.matches,
            r.switch.is_some(),
            "{}: fake {} vs endpoint {} (switch {:?})",
            r.id,
            r.expected,
            r.observed,
            r.switch
        );
    }
}

#[tokio::test]
async fn without_side_effects_only_reads_run() {
    let (asana, t) = target(Profile::Asana).await;
    let rows = probe(&harness_tls::client::new(), &t, false).await;
    assert!(rows.iter().all(|r| !r.writes));
    assert!(
        asana
            .requests()
            .iter()
            .all(|e| e.method == "GET" || e.uri.ends_with("/.search")),
        "only reads reached the endpoint"
    );
    assert!(asana.organization().users.is_empty());
}
