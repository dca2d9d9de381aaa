//! The KB article walked in a real browser, provisioning and single sign-on: headless Chromium, driven through chromedriver
//! (Debian's `chromium` and `chromium-driver`, which `.ci/run` installs). The WebDriver protocol
//! is a few JSON calls, so the client is written here on reqwest. On failure the test saves a
//! screenshot under `target/browser-failures/`.

use std::path::PathBuf;
use std::process::Stdio;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::Served;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Browser {
    driver: Child,
    client: reqwest::Client,
    session: String,
    base: String,
    _profile: tempfile::TempDir,
}

type Step<T> = Result<T, String>;

impl Browser {
    async fn start() -> Browser {
        let chromedriver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .expect("chromedriver is not installed: `.ci/run` installs Debian's chromium and chromium-driver");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver starts");
        // Ready when it says so: an event on stdout, not a sleep.
        let mut lines = BufReader::new(driver.stdout.take().unwrap()).lines();
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.contains("started successfully") {
                break;
            }
        }
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let profile = tempfile::tempdir().unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let client = harness_tls::client::new();
        let args = [
            "--headless=new".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--window-size=1280,1000".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let created: Value = client
            .post(format!("{base}/session"))
            .json(&json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args}}}}))
            .send()
            .await
            .expect("chromedriver answers")
            .json()
            .await
            .unwrap();
        let session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no browser session: {created}"))
            .to_owned();
        Browser {
            driver,
            client,
            session,
            base,
            _profile: profile,
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Step<Value> {
        let mut r = self.client.request(
            method,
            format!("{}/session/{}{path}", self.base, self.session),
        );
        if let Some(b) = body {
            r = r.json(&b);
        }
        let v: Value = r
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        if let Some(err) = v["value"].get("error") {
            return Err(format!(
                "{path}: {err} {}",
                v["value"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .lines()
                    .next()
                    .unwrap_or_default()
            ));
        }
        Ok(v["value"].clone())
    }

    async fn go(&self, url: &str) -> Step<()> {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await
            .map(|_| ())
    }

    /// The address of the page the browser shows.
    async fn url(&self) -> Step<String> {
        let v = self.call(reqwest::Method::GET, "/url", None).await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    async fn find(&self, css: &str) -> Step<String> {
        let v = self
            .call(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await?;
        v[ELEMENT]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("no element {css}"))
    }

    async fn click(&self, css: &str) -> Step<()> {
        let id = self.find(css).await?;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await
        .map(|_| ())
    }

    /// Clicks something that loads a new page and returns once the browser has it: the old
    /// document's root goes stale and the new one is complete. Each check is a WebDriver round
    /// trip; nothing waits on a timer.
    async fn open(&self, css: &str) -> Step<()> {
        let before = self.find("html").await?;
        self.click(css).await?;
        for _ in 0..10_000 {
            // Mid-navigation there may be no document at all: that is "not yet".
            let Ok(now) = self.find("html").await else {
                continue;
            };
            let script = json!({"script": "return document.readyState", "args": []});
            let Ok(ready) = self
                .call(reqwest::Method::POST, "/execute/sync", Some(script))
                .await
            else {
                continue;
            };
            if now != before && ready == json!("complete") {
                return Ok(());
            }
        }
        Err(format!("clicking {css} did not load a new page"))
    }

    async fn type_into(&self, css: &str, text: &str) -> Step<()> {
        let id = self.find(css).await?;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/clear"),
            Some(json!({})),
        )
        .await?;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({"text": text})),
        )
        .await
        .map(|_| ())
    }

    /// Waits until an element exists: for pages that navigate by themselves (an auto-posting
    /// form). Each check is a WebDriver round trip; nothing waits on a timer.
    async fn wait_for(&self, css: &str) -> Step<()> {
        for _ in 0..10_000 {
            if self.find(css).await.is_ok() {
                return Ok(());
            }
        }
        Err(format!("{css} never appeared"))
    }

    async fn text(&self, css: &str) -> Step<String> {
        let id = self.find(css).await?;
        let v = self
            .call(reqwest::Method::GET, &format!("/element/{id}/text"), None)
            .await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    async fn checked(&self, css: &str) -> Step<bool> {
        let id = self.find(css).await?;
        Ok(self
            .call(
                reqwest::Method::GET,
                &format!("/element/{id}/property/checked"),
                None,
            )
            .await?
            == json!(true))
    }

    /// Saves a screenshot; returns where.
    async fn screenshot(&self, name: &str) -> String {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/browser-failures");
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join(format!("{name}.png"));
        if let Ok(Value::String(b64)) = self.call(reqwest::Method::GET, "/screenshot", None).await
            && let Some(png) = decode_base64(&b64)
        {
            let _ = std::fs::write(&path, png);
        }
        path.display().to_string()
    }

    async fn quit(mut self) {
        let _ = self.call(reqwest::Method::DELETE, "", None).await;
        let _ = self.driver.kill().await;
    }
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let bytes: Vec<u8> = s
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= u32::from(value(c)?) << (18 - 6 * i);
        }
        out.extend_from_slice(&acc.to_be_bytes()[1..chunk.len()]);
    }
    Some(out)
}

fn expect(ok: bool, what: &str) -> Step<()> {
    if ok { Ok(()) } else { Err(what.to_owned()) }
}

/// The KB article, click by click.
async fn kb_article(b: &Browser, asana: &str, onelogin: &str) -> Step<()> {
    // Asana: Organization settings > Service Accounts > Add Service Account; name it; copy the token.
    b.go(&format!("{asana}/admin/service-accounts")).await?;
    b.open("#add-service-account").await?;
    let token = b.text("#token").await?;
    expect(token.starts_with("2/"), "the dialog shows the token")?;
    b.type_into("#name", "OneLogin provisioning (KB)").await?;
    b.open("#save-changes").await?;
    expect(
        b.text("main").await?.contains("OneLogin provisioning (KB)"),
        "the named account is listed",
    )?;

    // OneLogin: Apps > Company Apps > Asana > Configuration: paste the token, Save, Enable.
    b.go(&format!("{onelogin}/admin/apps")).await?;
    b.open("main a[href$='/configuration']").await?;
    b.type_into("#token", &token).await?;
    b.open("#save").await?;
    let saved = b.text("main .notice.ok").await?;
    expect(
        saved.contains("API connection saved."),
        &format!("the Configuration tab confirms the save: {saved}"),
    )?;
    b.open("#enable").await?;
    let status = b.text("#api-status").await?;
    expect(
        status.contains("Connected"),
        &format!("API status after Enable: {status}"),
    )?;

    // Provisioning tab: enable provisioning, approval for Create and Delete, Delete on delete.
    b.open("main a[href$='/provisioning']").await?;
    b.click("#enabled").await?;
    b.click("#approve-create").await?;
    b.click("#approve-delete").await?;
    b.click("#on-delete option[value='delete']").await?;
    b.open("#save").await?;
    let saved = b.text("main .notice.ok").await?;
    expect(
        saved.contains("Provisioning settings saved."),
        &format!("the Provisioning tab confirms the save: {saved}"),
    )?;
    expect(
        b.checked("#enabled").await?
            && b.checked("#approve-create").await?
            && b.checked("#approve-delete").await?,
        "the settings stay saved",
    )?;
    expect(
        !b.checked("#approve-update").await?,
        "Update needs no approval",
    )?;

    // Users: assign Asana to Grace herself (her Applications tab, Add App, as the article's last
    // step says); the tab says Pending, assigned directly.
    b.go(&format!("{onelogin}/admin/users")).await?;
    b.open("#users a[href='/admin/users/100003']").await?;
    b.click("#app option[value='100001']").await?;
    b.open("#add-app").await?;
    let applications = b.text("#applications").await?;
    expect(
        applications.contains("Pending") && applications.contains("directly"),
        &format!("the direct assignment waits for approval: {applications}"),
    )?;

    // Users > Provisioning: approve; the user is Provisioned.
    b.open("header a[href='/admin/provisioning']").await?;
    b.open("#pending button[id^='approve-']").await?;
    expect(
        b.text("#finished").await?.contains("Provisioned"),
        "the approved create ran",
    )?;
    b.go(&format!("{onelogin}/admin/users/100003")).await?;
    expect(
        b.text("#applications").await?.contains("Provisioned"),
        "the Applications tab says Provisioned",
    )?;

    // Asana: Members lists Grace, active.
    b.go(&format!("{asana}/admin/members")).await?;
    let row = b.text("tr[data-email='grace@acme.test']").await?;
    expect(
        row.contains("Active"),
        &format!("Grace in Asana's members: {row}"),
    )?;

    // Configure SSO: OneLogin's SSO tab shows the SAML 2.0 endpoint and the certificate (View
    // Details); Asana's Security tab takes both and requires SAML.
    b.go(&format!("{onelogin}/admin/apps/100001/sso")).await?;
    let sso_endpoint = b.text("#sso-endpoints dd:nth-of-type(2) code").await?;
    expect(
        sso_endpoint.ends_with("/trust/saml2/http-post/sso/100001"),
        &format!("the SAML 2.0 endpoint: {sso_endpoint}"),
    )?;
    b.open("#certificates a[href$='/certificates/1']").await?;
    let pem = b.text("#pem").await?;
    expect(
        pem.contains("BEGIN CERTIFICATE"),
        "View Details shows the PEM",
    )?;
    b.go(&format!("{asana}/admin/security")).await?;
    b.click("#mode option[value='required']").await?;
    b.type_into("#sign_in_url", &sso_endpoint).await?;
    b.type_into("#certificate", &pem).await?;
    b.open("#save-saml").await?;
    expect(
        b.text("main").await?.contains("SAML settings saved."),
        "Asana saved the SAML settings",
    )?;

    // Grace signs in to OneLogin, clicks Asana in her portal, and lands signed in to Asana.
    b.go(&format!("{onelogin}/login")).await?;
    b.type_into("input[name='username']", "grace@acme.test")
        .await?;
    b.type_into("input[name='password']", "harness-password")
        .await?;
    b.open("#sign-in").await?;
    b.click("#apps a.app").await?;
    b.wait_for("#signed-in").await?;
    let home = b.url().await?;
    expect(
        home == format!("{asana}/-/home"),
        &format!("the sign-in ends on Asana's home page: {home}"),
    )?;
    let who = b.text("#signed-in").await?;
    expect(
        who.contains("Signed in as grace@acme.test, with SAML single sign-on"),
        &format!("Asana's home page shows Grace and how she signed in: {who}"),
    )?;
    let until = b.text("#session-expires").await?;
    expect(
        until.starts_with("Your session lasts until ") && until.contains(" UTC, in "),
        &format!("the home page says until when, in human terms: {until}"),
    )?;

    // Delete Grace in OneLogin; approve the delete; Asana shows her deprovisioned.
    b.go(&format!("{onelogin}/admin/users/100003")).await?;
    b.open("#delete-user").await?;
    b.go(&format!("{onelogin}/admin/provisioning")).await?;
    b.open("#pending button[id^='approve-']").await?;
    b.go(&format!("{asana}/admin/members")).await?;
    let row = b.text("tr[data-email='grace@acme.test']").await?;
    expect(
        row.contains("Deprovisioned"),
        &format!("Grace after deletion: {row}"),
    )?;

    // The same click is refused: OneLogin no longer knows her, and her Asana session is over.
    b.go(&sso_endpoint).await?;
    b.type_into("input[name='username']", "grace@acme.test")
        .await?;
    b.type_into("input[name='password']", "harness-password")
        .await?;
    b.open("#sign-in").await?;
    b.wait_for("#refusal[data-reason='cannot_log_in']").await?;
    b.go(&format!("{asana}/-/home")).await?;
    expect(
        b.find("#signed-in").await.is_err(),
        "Grace's Asana session ended with her deprovisioning",
    )?;
    b.go(&format!("{asana}/admin/security")).await?;
    expect(
        b.text("#sign-ins")
            .await?
            .contains("grace@acme.test signed in"),
        "the Security tab lists her sign-in",
    )?;
    Ok(())
}

#[tokio::test]
async fn the_kb_article_in_a_real_browser() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(dir.path(), &[]).await;
    let asana = served.asana_origin();
    let onelogin = served.onelogin_origin();
    let browser = Browser::start().await;
    let result = kb_article(&browser, &asana, &onelogin).await;
    if let Err(e) = result {
        let shot = browser.screenshot("kb-article").await;
        browser.quit().await;
        panic!("{e} (screenshot: {shot})");
    }
    browser.quit().await;
    assert!(served.terminate().await.success());
}
