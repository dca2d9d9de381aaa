//! Single sign-on (README, "Single sign-on"): both sides configured as the KB article does,
//! a person signing in as a browser drives it (OneLogin's login form, the portal or Asana's
//! sign-on URL, the auto-posting form, the ACS), OneLogin's certificate rotated, and what
//! OneLogin signed tampered with as a real SP must survive.
//!
//! ```yaml
//! - configure_sso: { mode: required, signature_algorithm: rsa-sha256 }
//! - sign_in: { user: ada, via: sp }
//! - tamper_assertion: { user: ada, attack: wrap_assertion }
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::{Method, StatusCode};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use super::action::{Action, References};
use crate::format::duration::Duration;
use crate::format::settings::{SamlMode, SignatureAlgorithm, SignatureElement};
use crate::format::vocabulary::{Side, SignInOutcome, Via};
use crate::report::StepFailure;
use crate::runner::browser::{Browser, Page, SignInRecord, asana_outcome, onelogin_refusal};
use crate::runner::outcome::{Halt, fail};
use crate::runner::state::Runner;

/// `configure_sso`: OneLogin's SSO tab pointed at the fake Asana's ACS, and Asana's Security tab
/// given OneLogin's sign-in URL and (unless `upload_certificate: false`) its certificate.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SsoSettings {
    /// Asana's SAML setting. Default `required` ("Members must log in via SAML").
    #[serde(default)]
    pub mode: Option<SamlMode>,
    /// OneLogin's "SAML Signature Algorithm". Absent: left as the app has it (`rsa-sha1`).
    #[serde(default)]
    pub signature_algorithm: Option<SignatureAlgorithm>,
    /// What OneLogin signs: the `assertion` (the app's default), the `response`, or `both`.
    #[serde(default)]
    pub signature_element: Option<SignatureElement>,
    /// Asana's SAML session timeout, 1 to 720 hours.
    #[serde(default)]
    pub session_timeout_hours: Option<u32>,
    /// Upload OneLogin's certificate in use to Asana. Default true.
    #[serde(default)]
    pub upload_certificate: Option<bool>,
    /// The audience OneLogin writes. Default Asana's entity id.
    #[serde(default)]
    pub audience: Option<String>,
}

/// `sign_in`: one person's attempt, driven over HTTP as a browser would.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// The OneLogin user: an `as:` name or an email.
    pub user: String,
    /// `idp` (OneLogin's portal, the default), `sp` (Asana's sign-on URL) or `password`.
    #[serde(default)]
    pub via: Via,
    /// Holds the IdP's answer this long before the browser posts it (a slow network, a laptop
    /// lid closed): the harness clock moves in between.
    #[serde(default)]
    pub post_after: Option<Duration>,
}

/// `rotate_idp_certificate`: a new certificate in OneLogin; uploaded to Asana only when asked,
/// as a person rotating would have to remember to.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rotate {
    /// Also give Asana the new certificate. Default false.
    #[serde(default)]
    pub upload: bool,
}

impl Action for SsoSettings {
    const NAME: &'static str = "configure_sso";

    /// The KB article's "Configure SSO for Asana", both sides.
    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let acs = r.asana(Self::NAME)?.acs_url();
        let mut tab = json!({"acs_url": acs});
        if let Some(a) = self.signature_algorithm {
            tab["signature_algorithm"] = serde_json::to_value(a).expect("serializes");
        }
        if let Some(e) = self.signature_element {
            tab["signature_element"] = serde_json::to_value(e).expect("serializes");
        }
        if let Some(audience) = &self.audience {
            tab["audience"] = json!(audience);
        }
        let path = r.sso_path("");
        let sso = r.ol(Method::PUT, &path, Some(tab), StatusCode::OK).await?;
        let mut security = json!({
            "mode": self.mode.unwrap_or(SamlMode::Required),
            "sign_in_url": sso["sso_endpoint"],
        });
        if self.upload_certificate.unwrap_or(true) {
            security["certificate"] = sso["certificates"][0]["pem"].clone();
        }
        if let Some(hours) = self.session_timeout_hours {
            security["session_timeout_hours"] = json!(hours);
        }
        r.asana_admin(Method::PUT, "/saml", Some(security), Self::NAME)
            .await?;
        Ok(())
    }
}

impl Action for Rotate {
    const NAME: &'static str = "rotate_idp_certificate";

    /// A new certificate in OneLogin, uploaded to Asana if asked.
    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let path = r.sso_path("/certificates/rotate");
        let sso = r.ol(Method::POST, &path, None, StatusCode::CREATED).await?;
        if self.upload {
            let certificate = sso["certificates"][0]["pem"].clone();
            let body = Some(json!({"certificate": certificate}));
            r.asana_admin(Method::PUT, "/saml", body, Self::NAME)
                .await?;
        }
        Ok(())
    }
}

impl Action for SignIn {
    const NAME: &'static str = "sign_in";

    fn references(&self) -> References<'_> {
        References::user(&self.user)
    }

    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        r.asana(Self::NAME)?;
        let email = r.login_name(&self.user).await?;
        let mut browser = r.sso_mut().browser();
        let record = match self.via {
            Via::Password => self.with_password(r, &mut browser, &email).await?,
            Via::Idp => self.via_portal(r, &mut browser, &email).await?,
            Via::Sp => self.via_asana(r, &mut browser, &email).await?,
        };
        let sso = r.sso_mut();
        sso.latest.insert(self.user.clone(), record);
        sso.browsers.insert(self.user.clone(), browser);
        Ok(())
    }
}

impl SignIn {
    /// Asana's email and password form.
    async fn with_password(
        &self,
        r: &mut Runner,
        browser: &mut Browser,
        email: &str,
    ) -> Result<SignInRecord, Halt> {
        let login = format!("{}/-/login", r.asana(Self::NAME)?.uri());
        let form = [("email", email), ("password", fake_asana::PASSWORD)];
        let (status, reply) = browser.post_for_json(&login, &form).await?;
        Ok(asana_outcome(status, &reply))
    }

    /// OneLogin's portal: sign in to OneLogin, then click Asana.
    async fn via_portal(
        &self,
        r: &mut Runner,
        browser: &mut Browser,
        email: &str,
    ) -> Result<SignInRecord, Halt> {
        if let Err(refused) = onelogin_login(r, browser, email, "/portal").await? {
            return Ok(refused);
        }
        let answer = browser.get(&r.onelogin().sso_url()).await?;
        Ok(deliver(r, &self.user, browser, &answer, self.post_after).await?)
    }

    /// Asana's sign-on URL: Asana sends the browser to OneLogin, which asks for a sign-in and
    /// then answers Asana, or refuses Asana's AuthnRequest outright (a refused outcome).
    async fn via_asana(
        &self,
        r: &mut Runner,
        browser: &mut Browser,
        email: &str,
    ) -> Result<SignInRecord, Halt> {
        let sign_on_url = r.asana(Self::NAME)?.sign_on_url();
        let start = browser.get(&sign_on_url).await?;
        let Some(to_idp) = start
            .location
            .clone()
            .filter(|_| start.status.is_redirection())
        else {
            return Ok(SignInRecord {
                outcome: SignInOutcome::Refused,
                by: Some(Side::Asana),
                reason: Some(harness_saml::Reason::SamlOff.code().into()),
                message: start.message(),
            });
        };
        let at_idp = browser.get(&to_idp).await?;
        let login_url = at_idp.location.clone().unwrap_or_default();
        let return_to =
            form_urlencoded::parse(login_url.split_once('?').map_or("", |(_, q)| q).as_bytes())
                .find(|(k, _)| k == "return")
                .map(|(_, v)| v.into_owned());
        let Some(return_to) = return_to else {
            // OneLogin read the AuthnRequest and refused it (another service provider, a
            // request it cannot read): an outcome to expect, as a person would see it.
            if at_idp.reason().is_some() {
                return Ok(onelogin_refusal(&at_idp));
            }
            return Err(fail(format!(
                "OneLogin did not ask {email} to sign in: {} {}",
                at_idp.status,
                at_idp.message()
            ))
            .into());
        };
        if let Err(refused) = onelogin_login(r, browser, email, &return_to).await? {
            return Ok(refused);
        }
        let back = format!("{}{return_to}", r.onelogin().uri());
        let answer = browser.get(&back).await?;
        Ok(deliver(r, &self.user, browser, &answer, self.post_after).await?)
    }
}

/// Signs in to OneLogin with the documented password; a refusal is OneLogin's.
async fn onelogin_login(
    r: &Runner,
    browser: &mut Browser,
    email: &str,
    return_to: &str,
) -> Result<Result<(), SignInRecord>, StepFailure> {
    let page = browser
        .post(
            &format!("{}/login", r.onelogin().uri()),
            &[
                ("username", email),
                ("password", fake_onelogin::PASSWORD),
                ("return", return_to),
            ],
        )
        .await?;
    if page.status.is_redirection() {
        return Ok(Ok(()));
    }
    Ok(Err(onelogin_refusal(&page)))
}

/// Posts OneLogin's answer to the ACS (after `post_after`, if any).
async fn deliver(
    r: &mut Runner,
    user: &str,
    browser: &mut Browser,
    answer: &Page,
    post_after: Option<Duration>,
) -> Result<SignInRecord, StepFailure> {
    let Some((action, saml_response, relay_state)) = answer.post_form() else {
        return Ok(onelogin_refusal(answer));
    };
    r.sso_mut()
        .responses
        .insert(user.to_owned(), saml_response.clone());
    if let Some(wait) = post_after {
        r.advance(wait);
    }
    let mut form = vec![("SAMLResponse", saml_response.as_str())];
    if let Some(relay) = &relay_state {
        form.push(("RelayState", relay));
    }
    let (status, reply) = browser.post_for_json(&action, &form).await?;
    Ok(asana_outcome(status, &reply))
}

/// Why a sign-in expectation cannot be checked yet.
pub(crate) fn no_attempt_yet(user: &str) -> StepFailure {
    fail(format!(
        "{user} has not tried to sign in yet (use sign_in or tamper_assertion first)"
    ))
}

/// Why a session expectation cannot be checked yet.
pub(crate) fn no_session_yet(user: &str) -> StepFailure {
    fail(format!("{user} has not signed in yet (use sign_in first)"))
}

/// What `tamper_assertion` does to a fresh assertion for the user before posting it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Attack {
    /// Posts the user's last response again, unchanged.
    Replay,
    /// Removes the signature.
    StripSignature,
    /// Changes the NameID after signing.
    AlterNameId,
    /// Adds a second, unsigned assertion for someone else before the signed one.
    WrapAssertion,
    /// Signs `ada@acme.test.evil.test`, then hides `.evil.test` behind a comment.
    CommentInNameId,
    /// A document type declaration with nested entities (billion laughs).
    Dtd,
    /// `SAMLResponse` that is not base64.
    NotBase64,
    /// `SAMLResponse` larger than any real one.
    Oversized,
}

/// `tamper_assertion`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tamper {
    /// The OneLogin user the response is signed for: an `as:` name or an email.
    pub user: String,
    /// What is done to the response before it is posted.
    pub attack: Attack,
}

impl Action for Tamper {
    const NAME: &'static str = "tamper_assertion";

    fn references(&self) -> References<'_> {
        References::user(&self.user)
    }

    /// A fresh assertion for the user, changed as the attack says, posted to the ACS.
    async fn run(&self, r: &mut Runner) -> Result<(), Halt> {
        let acs = r.asana(Self::NAME)?.acs_url();
        let payload =
            if self.attack == Attack::Replay {
                r.sso_mut().responses.get(&self.user).cloned().ok_or_else(|| {
                fail(format!(
                    "replay needs an earlier sign_in of {} that got an answer from OneLogin",
                    self.user
                ))
            })?
            } else {
                let id = r.user_id(&self.user).await?;
                let path = r.sso_path("/assertion");
                let body = Some(json!({"user_id": id}));
                let form = r.ol(Method::POST, &path, body, StatusCode::OK).await?;
                let b64 = form["SAMLResponse"].as_str().unwrap_or_default();
                let xml = String::from_utf8(STANDARD.decode(b64).unwrap_or_default())
                    .map_err(|_| fail("OneLogin's SAMLResponse is not UTF-8"))?;
                attack(self.attack, &xml)?
            };
        let mut browser = r.sso_mut().browser();
        let (status, reply) = browser
            .post_for_json(&acs, &[("SAMLResponse", payload.as_str())])
            .await?;
        let record = asana_outcome(status, &reply);
        r.sso_mut().latest.insert(self.user.clone(), record);
        Ok(())
    }
}

/// The attacks a real SP must survive (README, "What the fake Asana refuses"), applied to a
/// response OneLogin signed. Returns the `SAMLResponse` to post.
fn attack(kind: Attack, xml: &str) -> Result<String, StepFailure> {
    let name_id = between(xml, "<saml:NameID", "</saml:NameID>")
        .and_then(|s| s.split_once('>').map(|(_, v)| v.to_owned()))
        .ok_or_else(|| fail("OneLogin's response has no NameID"))?;
    let other = match name_id.split_once('@') {
        Some((_, domain)) => format!("mallory@{domain}"),
        None => "mallory".to_owned(),
    };
    let replace_name_id = |doc: &str, with: &str| {
        doc.replace(
            &format!(">{name_id}</saml:NameID>"),
            &format!(">{with}</saml:NameID>"),
        )
    };
    let encoded = |doc: String| STANDARD.encode(doc);
    Ok(match kind {
        Attack::Replay => unreachable!("replay posts the earlier response"),
        Attack::StripSignature => encoded(strip_signatures(xml)),
        Attack::AlterNameId => encoded(replace_name_id(xml, &other)),
        Attack::WrapAssertion => {
            let start = xml.find("<saml:Assertion").ok_or_else(|| fail("no assertion"))?;
            let end = xml
                .find("</saml:Assertion>")
                .ok_or_else(|| fail("no assertion"))?
                + "</saml:Assertion>".len();
            let evil = replace_name_id(&strip_signatures(&xml[start..end]), &other)
                .replacen("ID=\"", "ID=\"evil", 1);
            encoded(format!("{}{evil}{}", &xml[..start], &xml[start..]))
        }
        Attack::CommentInNameId => {
            let (local, domain) = name_id.split_once('@').unwrap_or((&name_id, ""));
            encoded(replace_name_id(xml, &format!("{local}@<!---->{domain}")))
        }
        Attack::Dtd => encoded(
            r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&c;</samlp:Response>"#
                .to_owned(),
        ),
        Attack::NotBase64 => "%%% this is not base64 %%%".to_owned(),
        Attack::Oversized => "A".repeat(300 * 1024),
    })
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let s = text.find(start)?;
    let e = text[s..].find(end)? + s;
    Some(&text[s..e])
}

fn strip_signatures(xml: &str) -> String {
    let mut out = xml.to_owned();
    while let (Some(s), Some(e)) = (out.find("<ds:Signature"), out.find("</ds:Signature>")) {
        out.replace_range(s..e + "</ds:Signature>".len(), "");
    }
    out
}
