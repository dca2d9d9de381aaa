//! The provisioner's wire contract, pinned against wiremock standing in for a SCIM target:
//! the exact request sequence, headers and bodies of each flow, and the retry behaviour.

use harness_clock::Clock;
use harness_provisioner::{
    Action, Outcome, Provisioner, RetryPolicy, SchemaUrns, Target, Task, UserPayload, user_body,
};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const LOOKUP_QUERY: &str = "filter=userName+eq+%22ada%40acme.test%22&";

struct Harness {
    server: MockServer,
    provisioner: Provisioner,
    clock: Clock,
}

impl Harness {
    async fn new() -> Harness {
        let clock = Clock::manual();
        let policy = RetryPolicy::default();
        let provisioner = Provisioner::new(
            Provisioner::default_client(&policy),
            clock.clone(),
            policy,
            7,
        );
        Harness {
            server: MockServer::start().await,
            provisioner,
            clock,
        }
    }

    fn target(&self) -> Target {
        Target::new(format!("{}/scim", self.server.uri()), "t0ken")
    }

    async fn run(&self, action: Action) -> harness_provisioner::Report {
        self.run_linked(action, None).await
    }

    /// Runs a task for a user whose target id OneLogin stored when it was created.
    async fn run_linked(
        &self,
        action: Action,
        scim_id: Option<&str>,
    ) -> harness_provisioner::Report {
        self.provisioner
            .run(
                &self.target(),
                &Task {
                    action,
                    user: ada(),
                    scim_id: scim_id.map(str::to_owned),
                },
            )
            .await
    }

    async fn requests(&self) -> Vec<Request> {
        self.server
            .received_requests()
            .await
            .expect("recording is on")
    }
}

fn ada() -> UserPayload {
    UserPayload {
        user_name: "ada@acme.test".into(),
        email: "ada@acme.test".into(),
        given_name: "Ada".into(),
        family_name: "Lovelace".into(),
        title: Some("Engineer".into()),
        department: None,
    }
}

fn list(resources: Value) -> ResponseTemplate {
    let total = resources.as_array().map_or(0, Vec::len);
    ResponseTemplate::new(200).set_body_json(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": total,
        "Resources": resources,
    }))
}

/// `METHOD /path?query` of each request, in order.
fn lines(requests: &[Request]) -> Vec<String> {
    requests
        .iter()
        .map(|r| match r.url.query() {
            Some(q) => format!("{} {}?{q}", r.method, r.url.path()),
            None => format!("{} {}", r.method, r.url.path()),
        })
        .collect()
}

fn header<'a>(r: &'a Request, name: &str) -> Option<&'a str> {
    r.headers.get(name).and_then(|v| v.to_str().ok())
}

/// Every request carries OneLogin's headers: bearer token, empty User-Agent, and the SCIM media
/// type on bodies.
fn assert_onelogin_headers(requests: &[Request]) {
    for r in requests {
        assert_eq!(
            header(r, "authorization"),
            Some("Bearer t0ken"),
            "{} {}",
            r.method,
            r.url
        );
        assert_eq!(
            header(r, "user-agent"),
            Some(""),
            "an empty User-Agent, as OneLogin sends"
        );
        if !r.body.is_empty() {
            assert_eq!(header(r, "content-type"), Some("application/scim+json"));
        }
    }
}

fn body(r: &Request) -> Value {
    serde_json::from_slice(&r.body).expect("a JSON body")
}

#[tokio::test]
async fn create_new_looks_up_then_posts() {
    let h = Harness::new().await;
    Mock::given(method("GET"))
        .and(path("/scim/Users"))
        .respond_with(list(json!([])))
        .expect(1)
        .mount(&h.server)
        .await;
    Mock::given(method("POST"))
        .and(path("/scim/Users"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": "42", "userName": "ada@acme.test"})),
        )
        .expect(1)
        .mount(&h.server)
        .await;
    let report = h.run(Action::Create).await;
    assert_eq!(
        report.outcome,
        Outcome::Provisioned {
            scim_id: Some("42".into()),
            note: None
        }
    );
    assert_eq!(report.requests, 2);
    let requests = h.requests().await;
    assert_eq!(
        lines(&requests),
        [
            format!("GET /scim/Users?{LOOKUP_QUERY}"),
            "POST /scim/Users".to_owned()
        ]
    );
    assert_onelogin_headers(&requests);
    assert_eq!(
        body(&requests[1]),
        user_body(&ada(), true, SchemaUrns::Onelogin)
    );
    assert_eq!(body(&requests[1])["name"]["formatted"], "Ada Lovelace");
}

#[tokio::test]
async fn create_existing_adopts_the_user_with_a_put() {
    let h = Harness::new().await;
    Mock::given(method("GET"))
        .and(path("/scim/Users"))
        .respond_with(list(
            json!([{"id": "7", "userName": "ADA@acme.test", "active": true}]),
        ))
        .mount(&h.server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/scim/Users/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "7"})))
        .expect(1)
        .mount(&h.server)
        .await;
    let report = h.run(Action::Create).await;
    assert!(
        matches!(report.outcome, Outcome::Provisioned { scim_id: Some(ref id), .. } if id == "7")
    );
    let requests = h.requests().await;
    assert_eq!(
        lines(&requests),
        [
            format!("GET /scim/Users?{LOOKUP_QUERY}"),
            "PUT /scim/Users/7?".to_owned()
        ]
    );
    assert!(
        requests[1].url.as_str().ends_with("/Users/7?"),
        "a bare `?` ends the PUT URL"
    );
    assert_eq!(
        body(&requests[1]),
        user_body(&ada(), true, SchemaUrns::Onelogin)
    );
}

#[tokio::test]
async fn update_puts_the_full_body() {
    let h = Harness::new().await;
    Mock::given(method("GET"))
        .and(path("/scim/Users"))
        .respond_with(list(json!([{"id": "7", "userName": "ada@acme.test"}])))
        .mount(&h.server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/scim/Users/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "7"})))
        .expect(1)
        .mount(&h.server)
        .await;
    let report = h.run(Action::Update).await;
    assert!(matches!(report.outcome, Outcome::Provisioned { .. }));
    let requests = h.requests().await;
    assert_eq!(lines(&requests)[1], "PUT /scim/Users/7?");
    assert_onelogin_headers(&requests);
    let sent = body(&requests[1]);
    assert_eq!(sent["active"], true);
    assert_eq!(sent["title"], "Engineer");
    assert_eq!(
        sent["emails"],
        json!([{"primary": true, "type": "work", "value": "ada@acme.test"}])
    );
}

#[tokio::test]
async fn suspend_puts_active_false() {
    let h = Harness::new().await;
    Mock::given(method("GET"))
        .and(path("/scim/Users"))
        .respond_with(list(json!([{"id": "7", "userName": "ada@acme.test"}])))
        .mount(&h.server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/scim/Users/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "7"})))
        .expect(1)
        .mount(&h.server)
        .await;
    h.run(Action::Suspend).await;
    let requests = h.requests().await;
    assert_eq!(
        lines(&requests),
        [
            format!("GET /scim/Users?{LOOKUP_QUERY}"),
            "PUT /scim/Users/7?".to_owned()
        ]
    );
    assert_eq!(
        body(&requests[1]),
        user_body(&ada(), false, SchemaUrns::Onelogin)
    );
}

#[tokio::test]
async fn delete_looks_up_then_deletes() {
    let h = Harness::new().await;
    Mock::given(method("GET"))
        .and(path("/scim/Users"))
        .respond_with(list(json!([{"id": "7", "userName": "ada@acme.test"}])))
        .mount(&h.server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/scim/Users/7"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let report = h.run(Action::Delete).await;
    assert!(matches!(report.outcome, Outcome::Provisioned { .. }));
    let requests = h.requests().await;
    assert_eq!(
        lines(&requests),
        [
            format!("GET /scim/Users?{LOOKUP_QUERY}"),
            "DELETE /scim/Users/7".to_owned()
        ]
    );
    assert!(requests[1].body.is_empty());
    assert_onelogin_headers(&requests);
}

#[tokio::test]
async fn a_429_waits_exactly_retry_after_then_succeeds() {
    let h = Harness::new().await;
    Mock::given(method("GET"))
        .and(path("/scim/Users"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "30")
                .set_body_json(json!({"errors": [{"message": "rate limited"}]})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&h.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/scim/Users"))
        .respond_with(list(json!([])))
        .with_priority(2)
        .mount(&h.server)
        .await;
    Mock::given(method("POST"))
        .and(path("/scim/Users"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "42"})))
        .mount(&h.server)
        .await;
    let before = h.clock.now();
    let report = h.run(Action::Create).await;
    assert!(
        matches!(report.outcome, Outcome::Provisioned { .. }),
        "{:?}",
        report.outcome
    );
    assert_eq!(report.requests, 3);
    assert_eq!(
        (h.clock.now() - before).as_secs(),
        30,
        "exactly Retry-After, on the harness clock"
    );
    let requests = h.requests().await;
    assert_eq!(
        lines(&requests)[..2],
        [
            format!("GET /scim/Users?{LOOKUP_QUERY}"),
            format!("GET /scim/Users?{LOOKUP_QUERY}")
        ]
    );
    assert_eq!(report.exchanges[0].status, Some(429));
}

#[tokio::test]
async fn repeated_500s_back_off_then_fail_with_the_attempt_count() {
    let h = Harness::new().await;
    Mock::given(method("GET"))
        .and(path("/scim/Users"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"errors": [{"message": "Server Error", "phrase": "6 sad squid snuggle softly"}]})))
        .expect(5)
        .mount(&h.server)
        .await;
    let before = h.clock.now();
    let report = h.run(Action::Create).await;
    let Outcome::Failed(failure) = report.outcome else {
        panic!("should fail")
    };
    assert_eq!(failure.status, Some(500));
    assert_eq!(failure.detail, "Server Error");
    assert!(!failure.unauthorized);
    assert_eq!(report.requests, 5);
    let waited = h.clock.now() - before;
    // Backoffs of 1, 2, 4 and 8 s, each with equal jitter: between 7.5 s and 15 s in all.
    assert!(
        waited.as_secs_f64() >= 7.5 && waited.as_secs_f64() <= 15.0,
        "{waited:?}"
    );
}

#[tokio::test]
async fn a_401_fails_at_once_and_says_the_connection_is_broken() {
    let h = Harness::new().await;
    Mock::given(method("GET"))
        .and(path("/scim/Users"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"errors": [{"message": "Not Authorized"}]})),
        )
        .expect(1)
        .mount(&h.server)
        .await;
    let report = h.run(Action::Create).await;
    let Outcome::Failed(failure) = report.outcome else {
        panic!("should fail")
    };
    assert_eq!(
        (
            failure.status,
            failure.unauthorized,
            failure.detail.as_str()
        ),
        (Some(401), true, "Not Authorized")
    );
    assert_eq!(report.requests, 1);
}

#[tokio::test]
async fn other_4xx_fail_at_once_with_the_scim_detail() {
    let h = Harness::new().await;
    Mock::given(method("GET"))
        .and(path("/scim/Users"))
        .respond_with(list(
            json!([{"id": "7", "userName": "ada@acme.test", "active": false}]),
        ))
        .mount(&h.server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/scim/Users/7"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "400", "detail": "Reactivating is not supported"})))
        .expect(1)
        .mount(&h.server)
        .await;
    let report = h.run(Action::Reactivate).await;
    let Outcome::Failed(failure) = report.outcome else {
        panic!("should fail")
    };
    assert_eq!(failure.detail, "Reactivating is not supported");
    assert_eq!(report.requests, 2);
}

#[tokio::test]
async fn the_connection_test_is_a_lookup_of_a_user_that_cannot_exist() {
    let h = Harness::new().await;
    Mock::given(method("GET"))
        .and(path("/scim/Users"))
        .respond_with(list(json!([])))
        .expect(1)
        .mount(&h.server)
        .await;
    let (result, exchanges) = h.provisioner.test_connection(&h.target(), false).await;
    assert!(result.is_ok());
    assert_eq!(exchanges.len(), 1);
    let requests = h.requests().await;
    assert_eq!(
        lines(&requests),
        ["GET /scim/Users?filter=userName+eq+%22never-existing-user%22&"]
    );
}

#[tokio::test]
async fn garbage_answers_fail_with_a_reason_and_never_panic() {
    for response in [
        ResponseTemplate::new(200).set_body_string("<html>login</html>"),
        ResponseTemplate::new(200).set_body_json(json!({"users": []})),
        ResponseTemplate::new(200),
        ResponseTemplate::new(302).insert_header("location", "/login"),
    ] {
        let h = Harness::new().await;
        Mock::given(method("GET"))
            .and(path("/scim/Users"))
            .respond_with(response)
            .mount(&h.server)
            .await;
        let report = h.run(Action::Create).await;
        let Outcome::Failed(failure) = report.outcome else {
            panic!("garbage must fail")
        };
        assert!(!failure.detail.is_empty());
        let (connection, _) = h.provisioner.test_connection(&h.target(), false).await;
        assert!(connection.is_err());
    }
}

#[tokio::test]
async fn a_closed_port_is_retried_then_fails_as_a_connection_error() {
    let clock = Clock::manual();
    let policy = RetryPolicy {
        max_attempts: 3,
        ..RetryPolicy::default()
    };
    let provisioner = Provisioner::new(Provisioner::default_client(&policy), clock, policy, 1);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let target = Target::new(format!("http://127.0.0.1:{port}/scim"), "t");
    let report = provisioner
        .run(
            &target,
            &Task {
                action: Action::Create,
                user: ada(),
                scim_id: None,
            },
        )
        .await;
    let Outcome::Failed(failure) = report.outcome else {
        panic!("should fail")
    };
    assert_eq!(failure.status, None);
    assert!(
        failure.detail.contains("cannot connect"),
        "{}",
        failure.detail
    );
    assert_eq!(report.requests, 3);
    assert!(report.exchanges.iter().all(|e| e.error.is_some()));
}

#[tokio::test]
async fn bodies_name_onelogins_schema_urns_unless_the_target_needs_rfc_ones() {
    let h = Harness::new().await;
    Mock::given(method("GET"))
        .and(path("/scim/Users"))
        .respond_with(list(json!([])))
        .mount(&h.server)
        .await;
    Mock::given(method("POST"))
        .and(path("/scim/Users"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "42"})))
        .mount(&h.server)
        .await;
    h.run(Action::Create).await;
    let rfc = Target {
        schema_urns: SchemaUrns::Rfc,
        ..h.target()
    };
    let task = Task {
        action: Action::Create,
        user: UserPayload {
            department: Some("Engines".into()),
            ..ada()
        },
        scim_id: None,
    };
    h.provisioner.run(&rfc, &task).await;
    let requests = h.requests().await;
    let onelogin = body(&requests[1]);
    assert_eq!(
        onelogin["schemas"],
        json!([
            "urn:scim:schemas:core:2.0",
            "urn:scim:schemas:extension:enterprise:2.0"
        ]),
        "what real OneLogin traffic carries (fidelity/onelogin §4, S7)"
    );
    let plain = body(&requests[3]);
    assert_eq!(
        plain["schemas"],
        json!([
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
        ])
    );
    assert_eq!(
        plain["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
        "Engines"
    );
}

#[tokio::test]
async fn a_linked_user_is_written_by_the_stored_id_whatever_the_lookup_finds() {
    // A renamed user: the lookup by the new userName finds nothing.
    let h = Harness::new().await;
    Mock::given(method("GET"))
        .and(path("/scim/Users"))
        .respond_with(list(json!([])))
        .mount(&h.server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/scim/Users/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "7"})))
        .expect(2)
        .mount(&h.server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/scim/Users/7"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    for action in [Action::Update, Action::Suspend, Action::Delete] {
        let report = h.run_linked(action, Some("7")).await;
        assert_eq!(
            report.outcome,
            Outcome::Provisioned {
                scim_id: Some("7".into()),
                note: None
            },
            "{action:?}"
        );
    }
    let requests = h.requests().await;
    assert_eq!(
        lines(&requests),
        [
            format!("GET /scim/Users?{LOOKUP_QUERY}"),
            "PUT /scim/Users/7?".to_owned(),
            format!("GET /scim/Users?{LOOKUP_QUERY}"),
            "PUT /scim/Users/7?".to_owned(),
            format!("GET /scim/Users?{LOOKUP_QUERY}"),
            "DELETE /scim/Users/7".to_owned(),
        ]
    );
}

#[tokio::test]
async fn a_stored_id_wins_over_a_different_user_the_lookup_finds() {
    let h = Harness::new().await;
    Mock::given(method("GET"))
        .and(path("/scim/Users"))
        .respond_with(list(json!([{"id": "99", "userName": "ada@acme.test"}])))
        .mount(&h.server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/scim/Users/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "7"})))
        .expect(1)
        .mount(&h.server)
        .await;
    let report = h.run_linked(Action::Update, Some("7")).await;
    assert!(matches!(report.outcome, Outcome::Provisioned { .. }));
}

#[tokio::test]
async fn a_delete_that_finds_nobody_fails_instead_of_reporting_success() {
    let h = Harness::new().await;
    Mock::given(method("GET"))
        .and(path("/scim/Users"))
        .respond_with(list(json!([])))
        .mount(&h.server)
        .await;
    let report = h.run(Action::Delete).await;
    let Outcome::Failed(failure) = report.outcome else {
        panic!("nothing was deleted, so the task did not succeed")
    };
    assert!(
        failure.detail.contains("not found in the target")
            && failure.detail.contains("nothing was deleted"),
        "{}",
        failure.detail
    );
    assert_eq!(report.requests, 1, "only the lookup went out");
}

#[tokio::test]
async fn a_delete_the_target_answers_404_fails_with_the_targets_reason() {
    // A guest: invisible to the lookup, and to the DELETE by the stored id.
    let h = Harness::new().await;
    Mock::given(method("GET"))
        .and(path("/scim/Users"))
        .respond_with(list(json!([])))
        .mount(&h.server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/scim/Users/7"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "404", "detail": "User 7 not found"})))
        .expect(1)
        .mount(&h.server)
        .await;
    let report = h.run_linked(Action::Delete, Some("7")).await;
    let Outcome::Failed(failure) = report.outcome else {
        panic!("a 404 is not a deletion")
    };
    assert_eq!(
        (failure.status, failure.detail.as_str()),
        (Some(404), "User 7 not found")
    );
}

#[tokio::test]
async fn the_generic_scim_apps_connection_test_also_discovers_groups() {
    let h = Harness::new().await;
    Mock::given(method("GET"))
        .and(path("/scim/Users"))
        .respond_with(list(json!([])))
        .mount(&h.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/scim/Groups"))
        .respond_with(list(json!([])))
        .expect(1)
        .mount(&h.server)
        .await;
    let (result, _) = h.provisioner.test_connection(&h.target(), true).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(
        lines(&h.requests().await),
        [
            "GET /scim/Users?filter=userName+eq+%22never-existing-user%22&",
            "GET /scim/Groups?count=100&startIndex=1"
        ]
    );
}

#[tokio::test]
async fn a_target_that_refuses_group_discovery_fails_the_connection_test() {
    let h = Harness::new().await;
    Mock::given(method("GET"))
        .and(path("/scim/Users"))
        .respond_with(list(json!([])))
        .mount(&h.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/scim/Groups"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"errors": [{"message": "Forbidden: groups"}]})),
        )
        .mount(&h.server)
        .await;
    let (result, _) = h.provisioner.test_connection(&h.target(), true).await;
    let failure = result.expect_err("refused discovery fails Enable");
    assert_eq!(
        (failure.status, failure.detail.as_str()),
        (Some(403), "Forbidden: groups")
    );
}
