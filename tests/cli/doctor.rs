//! `asana-harness doctor` against both fakes of one `serve`: the KB article's setup is clean and
//! leaves only reads behind; a read that fails is exit 2; values left out are named. The
//! pitfalls, each planted on this setup, are in `doctor_checks.rs`.

use reqwest::Method;
use serde_json::{Value, json};

use crate::{Served, admin};

pub const APP: u64 = 100001;

/// `serve` set up as the KB article says: provisioning on with the service account's token,
/// the API enabled, NameID and SCIM Username on Email, SHA-256 signing, and Asana's Security
/// tab holding OneLogin's sign-in URL and certificate, SAML required. One person has the app
/// and was provisioned, so that users and events are there to read.
pub struct Kb {
    pub served: Served,
    client: reqwest::Client,
    dir: tempfile::TempDir,
}

impl Kb {
    pub async fn start() -> Kb {
        let dir = tempfile::tempdir().unwrap();
        let served = Served::start(dir.path(), &[]).await;
        let kb = Kb {
            served,
            client: harness_tls::client::new(),
            dir,
        };
        let token = kb.served.token();
        kb.onelogin(
            Method::PUT,
            "provisioning",
            json!({"token": token, "enabled": true}),
        )
        .await;
        kb.onelogin(Method::POST, "enable", json!({})).await;
        kb.onelogin(
            Method::PUT,
            "sso",
            json!({"signature_algorithm": "rsa-sha256"}),
        )
        .await;
        let sso = kb.onelogin(Method::GET, "sso", Value::Null).await;
        let saml = json!({
            "mode": "required",
            "sign_in_url": sso["sso_endpoint"],
            "certificate": sso["certificates"][0]["pem"],
        });
        kb.send(Method::PUT, format!("{}/__admin/saml", kb.asana()), saml)
            .await;
        let origin = kb.served.onelogin_origin();
        kb.send(
            Method::POST,
            format!("{origin}/__admin/users/100002/apps/{APP}"),
            json!({}),
        )
        .await;
        kb.send(
            Method::POST,
            format!("{origin}/__admin/provisioning/run"),
            json!({}),
        )
        .await;
        kb
    }

    pub fn asana(&self) -> String {
        self.served.asana_origin()
    }

    pub async fn send(&self, method: Method, url: String, body: Value) -> Value {
        let mut request = admin(&self.client, method, &url);
        if !body.is_null() {
            request = request.json(&body);
        }
        let answer = request.send().await.unwrap();
        assert!(answer.status().is_success(), "{url}: {}", answer.status());
        answer.json().await.unwrap_or(Value::Null)
    }

    /// The Asana app's admin resource `/__admin/apps/{APP}/<what>` in the fake OneLogin.
    pub async fn onelogin(&self, method: Method, what: &str, body: Value) -> Value {
        let url = format!(
            "{}/__admin/apps/{APP}/{what}",
            self.served.onelogin_origin()
        );
        self.send(method, url, body).await
    }

    /// What the admin reads off Asana's Security tab and OneLogin's Provisioning tab (the
    /// deletion policy), as the doctor's flags.
    pub async fn security_tab(&self) -> Vec<String> {
        let provisioning = self
            .onelogin(Method::GET, "provisioning", Value::Null)
            .await;
        let on_delete = provisioning["on_delete"]
            .as_str()
            .unwrap()
            .replace('_', "-");
        let saml = self
            .send(
                Method::GET,
                format!("{}/__admin/saml", self.asana()),
                Value::Null,
            )
            .await;
        let pem = self.dir.path().join("asana.pem");
        std::fs::write(&pem, saml["certificate"].as_str().unwrap()).unwrap();
        vec![
            format!(
                "--asana-sign-in-url={}",
                saml["sign_in_url"].as_str().unwrap()
            ),
            format!("--asana-certificate={}", pem.display()),
            format!("--asana-saml={}", saml["mode"].as_str().unwrap()),
            format!("--onelogin-deletion-policy={on_delete}"),
        ]
    }

    /// Runs `doctor --format json` with the credentials in the environment, as CI would.
    pub async fn doctor(&self, args: &[String], secret: &str) -> (i32, Value, String) {
        let c = &self.served.credentials;
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_asana-harness"))
            .args(["doctor", "--format", "json"])
            .args(args)
            .env("ONELOGIN_URL", self.served.onelogin_origin())
            .env(
                "ONELOGIN_CLIENT_ID",
                c["onelogin"]["client_id"].as_str().unwrap(),
            )
            .env("ONELOGIN_CLIENT_SECRET", secret)
            .env("ONELOGIN_APP_ID", APP.to_string())
            .env("ASANA_SCIM_URL", self.served.scim_url())
            .env("ASANA_TOKEN", self.served.token())
            .output()
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let report = serde_json::from_str(&stdout).unwrap_or(Value::Null);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (out.status.code().unwrap(), report, stderr)
    }

    pub fn secret(&self) -> String {
        self.served.credentials["onelogin"]["client_secret"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

pub fn codes(report: &Value) -> Vec<(String, String, Value)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
                f["case"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_kb_articles_setup_is_clean_and_only_read() {
    let kb = Kb::start().await;
    let (asana, onelogin) = (kb.asana(), kb.served.onelogin_origin());
    let flags = kb.security_tab().await;
    kb.send(
        Method::DELETE,
        format!("{asana}/__admin/requests"),
        Value::Null,
    )
    .await;
    kb.send(
        Method::DELETE,
        format!("{onelogin}/__admin/requests"),
        Value::Null,
    )
    .await;
    kb.send(
        Method::DELETE,
        format!("{onelogin}/__admin/api-requests"),
        Value::Null,
    )
    .await;
    let state_before = kb
        .send(
            Method::GET,
            format!("{onelogin}/__admin/state"),
            Value::Null,
        )
        .await;

    let (code, report, stderr) = kb.doctor(&flags, &kb.secret()).await;
    assert_eq!(code, 0, "{report:#}{stderr}");
    assert_eq!(report["findings"], json!([]), "{report:#}");

    // Asana journals every API request it answers: the doctor's are all GETs.
    let journal = kb
        .send(
            Method::GET,
            format!("{asana}/__admin/requests"),
            Value::Null,
        )
        .await;
    let methods: Vec<&str> = journal
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["method"].as_str().unwrap())
        .collect();
    assert_eq!(methods, ["GET", "GET", "GET"], "{journal:#}");
    // The fake OneLogin journals the API calls it answers: all GETs but one POST, the OAuth2
    // client-credentials grant, which every OneLogin API client must make before reading
    // (fidelity/onelogin §3.1), and which changes nothing but hands out a token. Its state
    // shows that nothing changed, and its outbound journal that the doctor caused no SCIM call.
    let answered = kb
        .send(
            Method::GET,
            format!("{onelogin}/__admin/api-requests"),
            Value::Null,
        )
        .await;
    let calls: Vec<(&str, &str)> = answered
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["method"].as_str().unwrap(), e["uri"].as_str().unwrap()))
        .collect();
    let writes: Vec<_> = calls.iter().filter(|(m, _)| *m != "GET").collect();
    assert_eq!(writes, [&("POST", "/auth/oauth2/v2/token")], "{answered:#}");
    assert!(
        calls.contains(&("GET", format!("/api/2/apps/{APP}").as_str())),
        "{answered:#}"
    );
    let outbound = kb
        .send(
            Method::GET,
            format!("{onelogin}/__admin/requests"),
            Value::Null,
        )
        .await;
    assert_eq!(outbound, json!([]));
    let state_after = kb
        .send(
            Method::GET,
            format!("{onelogin}/__admin/state"),
            Value::Null,
        )
        .await;
    assert_eq!(state_before, state_after);
    let sent: Vec<(&str, &str)> = report["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["method"].as_str().unwrap(), r["url"].as_str().unwrap()))
        .collect();
    let posts: Vec<_> = sent.iter().filter(|(m, _)| *m != "GET").collect();
    assert_eq!(
        posts,
        [&("POST", format!("{onelogin}/auth/oauth2/v2/token").as_str())]
    );
    let onelogin_reads = sent
        .iter()
        .filter(|(m, u)| *m == "GET" && u.starts_with(&onelogin))
        .count();
    assert_eq!(onelogin_reads + 1 + methods.len(), sent.len(), "{sent:?}");
    // The doctor's account and OneLogin's journal agree, call for call.
    assert_eq!(onelogin_reads + 1, calls.len(), "{sent:?} {answered:#}");
    assert!(
        sent.iter()
            .any(|(_, u)| u.ends_with(&format!("/api/2/apps/{APP}"))),
        "{sent:?}"
    );
    assert!(kb.served.terminate().await.success());
}

#[tokio::test]
async fn a_read_that_fails_is_exit_2_and_names_the_read() {
    let kb = Kb::start().await;
    let (code, report, stderr) = kb.doctor(&[], "not-the-secret").await;
    assert_eq!(code, 2, "{report}{stderr}");
    assert!(
        stderr.contains("could not read a OneLogin API token") && stderr.contains("answered 401"),
        "{stderr}"
    );

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let url = format!("--asana-scim-url=http://127.0.0.1:{port}/api/1.0/scim");
    let (code, _, stderr) = kb.doctor(&[url], &kb.secret()).await;
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("could not read Asana's SCIM API") && stderr.contains("no answer"),
        "{stderr}"
    );
    assert!(kb.served.terminate().await.success());
}

#[tokio::test]
async fn left_out_security_tab_values_are_named_not_silent() {
    let kb = Kb::start().await;
    let (code, report, stderr) = kb.doctor(&[], &kb.secret()).await;
    assert_eq!(code, 0, "not-checked is not a pitfall: {report:#}{stderr}");
    assert_eq!(
        codes(&report),
        [
            (
                "certificate-mismatch".to_owned(),
                "not_checked".to_owned(),
                json!("rotated-certificate-locked-everyone-out")
            ),
            (
                "deleted-keep-password-access".to_owned(),
                "not_checked".to_owned(),
                json!("deleted-but-still-signs-in")
            ),
            (
                "sign-in-url-mismatch".to_owned(),
                "not_checked".to_owned(),
                json!(null)
            ),
        ]
    );
    assert_eq!(
        report["findings"][0]["evidence"],
        "not checked: give --asana-certificate"
    );
    assert!(kb.served.terminate().await.success());
}
