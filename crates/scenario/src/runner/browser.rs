//! A browser for the sign-in steps: no automatic redirects (each hop is looked at), one cookie
//! per host, and readers for what the fakes' pages carry (the auto-posting form, a refusal's
//! `data-reason`). Plus what the runner remembers of sign-ins between steps, and how an
//! attempt's answer becomes its outcome.

use std::collections::{BTreeMap, HashMap};

use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::outcome::fail;
use crate::format::vocabulary::{Side, SignInOutcome};
use crate::report::StepFailure;

/// The outcome of a person's latest sign-in attempt.
#[derive(Debug, Clone)]
pub(crate) struct SignInRecord {
    pub outcome: SignInOutcome,
    pub by: Option<Side>,
    pub reason: Option<String>,
    pub message: String,
}

/// What the runner keeps of sign-ins between steps.
#[derive(Default)]
pub(crate) struct SsoMemory {
    /// Per user reference: the latest attempt.
    pub latest: BTreeMap<String, SignInRecord>,
    /// Per user reference: the latest `SAMLResponse` OneLogin gave them (for `replay`).
    pub responses: BTreeMap<String, String>,
    /// Per user reference: the browser of their latest sign-in, with its cookies (for the
    /// session expectation).
    pub browsers: BTreeMap<String, Browser>,
    /// A client that does not follow redirects, made once.
    client: Option<reqwest::Client>,
}

impl SsoMemory {
    pub fn browser(&mut self) -> Browser {
        let client = self
            .client
            .get_or_insert_with(|| {
                harness_tls::client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .expect("a client without TLS settings builds")
            })
            .clone();
        Browser {
            client,
            cookies: HashMap::new(),
        }
    }
}

pub(crate) struct Browser {
    client: reqwest::Client,
    cookies: HashMap<String, String>,
}

pub(crate) struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    /// A refusal page's code (`data-reason="..."`).
    pub fn reason(&self) -> Option<String> {
        attribute(&self.body, "data-reason")
    }

    /// The text of a refusal page's notice.
    pub fn message(&self) -> String {
        let Some(start) = self.body.find("class=\"notice") else {
            return format!("HTTP {}", self.status);
        };
        let rest = &self.body[start..];
        let text = rest
            .split_once('>')
            .map(|(_, t)| t.split("</p>").next().unwrap_or(""))
            .unwrap_or("");
        unescape(text)
    }

    /// The auto-posting form an IdP answers with: action, SAMLResponse, RelayState.
    pub fn post_form(&self) -> Option<(String, String, Option<String>)> {
        let action = attribute(&self.body, "action")?;
        let field = |name: &str| {
            let marker = format!("name=\"{name}\" value=\"");
            let start = self.body.find(&marker)? + marker.len();
            Some(unescape(self.body[start..].split('"').next()?))
        };
        Some((action, field("SAMLResponse")?, field("RelayState")))
    }
}

/// What the fake Asana's ACS or password form answered.
pub(crate) fn asana_outcome(status: StatusCode, reply: &Value) -> SignInRecord {
    if status == StatusCode::OK && reply["outcome"] == SignInOutcome::SignedIn.asana().as_str() {
        return SignInRecord {
            outcome: SignInOutcome::SignedIn,
            by: None,
            reason: None,
            message: format!(
                "signed in as {}",
                reply["user"]["email"].as_str().unwrap_or("?")
            ),
        };
    }
    SignInRecord {
        outcome: SignInOutcome::Refused,
        by: Some(Side::Asana),
        reason: reply["reason"].as_str().map(str::to_owned),
        message: reply["message"]
            .as_str()
            .map_or_else(|| format!("HTTP {status}"), str::to_owned),
    }
}

pub(crate) fn onelogin_refusal(page: &Page) -> SignInRecord {
    SignInRecord {
        outcome: SignInOutcome::Refused,
        by: Some(Side::Onelogin),
        reason: page.reason(),
        message: page.message(),
    }
}

fn attribute(html: &str, name: &str) -> Option<String> {
    let marker = format!("{name}=\"");
    let start = html.find(&marker)? + marker.len();
    Some(unescape(html[start..].split('"').next()?))
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x2F;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn host(url: &str) -> String {
    url.split('/').take(3).collect::<Vec<_>>().join("/")
}

impl Browser {
    pub async fn go(
        &mut self,
        method: Method,
        url: &str,
        form: Option<&[(&str, &str)]>,
        json: bool,
    ) -> Result<Page, StepFailure> {
        let host = host(url);
        let mut request = self.client.request(method.clone(), url).header(
            "accept",
            if json {
                "application/json"
            } else {
                "text/html"
            },
        );
        if let Some(c) = self.cookies.get(&host) {
            request = request.header("cookie", c);
        }
        if let Some(fields) = form {
            let body = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(fields)
                .finish();
            request = request
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| fail(format!("{method} {url} did not answer: {e}")))?;
        if let Some(c) = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
        {
            let pair = c.split(';').next().unwrap_or("").to_owned();
            self.cookies.insert(host.clone(), pair);
        }
        let location = response
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
        Ok(Page {
            status: response.status(),
            location,
            body: response.text().await.unwrap_or_default(),
        })
    }

    pub async fn get(&mut self, url: &str) -> Result<Page, StepFailure> {
        self.go(Method::GET, url, None, false).await
    }

    pub async fn post(&mut self, url: &str, form: &[(&str, &str)]) -> Result<Page, StepFailure> {
        self.go(Method::POST, url, Some(form), false).await
    }

    /// A form post that asks for JSON (the fake Asana's sign-in endpoints answer in kind).
    pub async fn post_for_json(
        &mut self,
        url: &str,
        form: &[(&str, &str)],
    ) -> Result<(StatusCode, Value), StepFailure> {
        let page = self.go(Method::POST, url, Some(form), true).await?;
        Ok((
            page.status,
            serde_json::from_str(&page.body).unwrap_or(Value::Null),
        ))
    }
}
