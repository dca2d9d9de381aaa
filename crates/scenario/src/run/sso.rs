//! The single sign-on steps: both sides configured over their admin APIs, sign-ins driven as a
//! browser drives them (OneLogin's login form, the portal or Asana's sign-on URL, the
//! auto-posting form, the ACS), tampering with what OneLogin signed, and the outcome checks.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::browser::{Browser, Page, SignInRecord};
use super::outcome::{Halt, fail, mismatch};
use super::runner::Runner;
use crate::format::Duration;
use crate::format::sso::{
    Attack, Rotate, SamlMode, SessionExpectation, Side, SignIn, SignInExpectation, SignInOutcome,
    SsoSettings, Tamper, Via,
};
use crate::report::StepFailure;

impl Runner {
    fn sso_path(&self, rest: &str) -> String {
        format!("/__admin/apps/{}/sso{rest}", self.onelogin.asana_app_id())
    }

    /// `configure_sso`: the KB article's "Configure SSO for Asana", both sides.
    pub(super) async fn configure_sso(&mut self, s: &SsoSettings) -> Result<(), Halt> {
        let acs = self.asana("configure_sso")?.acs_url();
        let mut tab = json!({"acs_url": acs});
        if let Some(a) = s.signature_algorithm {
            tab["signature_algorithm"] = serde_json::to_value(a).expect("serializes");
        }
        if let Some(e) = s.signature_element {
            tab["signature_element"] = serde_json::to_value(e).expect("serializes");
        }
        if let Some(audience) = &s.audience {
            tab["audience"] = json!(audience);
        }
        let path = self.sso_path("");
        let sso = self
            .ol(Method::PUT, &path, Some(tab), StatusCode::OK)
            .await?;
        let mut security = json!({
            "mode": s.mode.unwrap_or(SamlMode::Required),
            "sign_in_url": sso["sso_endpoint"],
        });
        if s.upload_certificate.unwrap_or(true) {
            security["certificate"] = sso["certificates"][0]["pem"].clone();
        }
        if let Some(hours) = s.session_timeout_hours {
            security["session_timeout_hours"] = json!(hours);
        }
        self.asana_admin(Method::PUT, "/saml", Some(security), "configure_sso")
            .await?;
        Ok(())
    }

    /// `rotate_idp_certificate`: a new certificate in OneLogin, uploaded to Asana if asked.
    pub(super) async fn rotate_idp_certificate(&mut self, r: &Rotate) -> Result<(), Halt> {
        let path = self.sso_path("/certificates/rotate");
        let sso = self
            .ol(Method::POST, &path, None, StatusCode::CREATED)
            .await?;
        if r.upload {
            let certificate = sso["certificates"][0]["pem"].clone();
            self.asana_admin(
                Method::PUT,
                "/saml",
                Some(json!({"certificate": certificate})),
                "rotate_idp_certificate",
            )
            .await?;
        }
        Ok(())
    }

    /// Who signs in to OneLogin: the user's email as OneLogin has it now (or had it, if deleted).
    async fn login_name(&mut self, user: &str) -> Result<String, StepFailure> {
        let id = self.user_id(user).await?;
        let (status, found) = self
            .ol_any(Method::GET, &format!("/api/2/users/{id}"), None)
            .await?;
        if status == StatusCode::OK
            && let Some(email) = found["email"].as_str()
        {
            return Ok(email.to_owned());
        }
        Ok(self
            .bindings
            .get(user)
            .and_then(|b| b["email"].as_str())
            .unwrap_or(user)
            .to_owned())
    }

    /// `sign_in`.
    pub(super) async fn sign_in(&mut self, s: &SignIn) -> Result<(), Halt> {
        let (sign_on_url, acs_login) = {
            let asana = self.asana("sign_in")?;
            (asana.sign_on_url(), format!("{}/-/login", asana.uri()))
        };
        let email = self.login_name(&s.user).await?;
        let mut browser = self.sso.browser();
        let record = match s.via {
            Via::Password => {
                let (status, reply) = browser
                    .post_for_json(
                        &acs_login,
                        &[("email", &email), ("password", fake_asana::PASSWORD)],
                    )
                    .await?;
                asana_outcome(status, &reply)
            }
            Via::Idp => match self.onelogin_login(&mut browser, &email, "/portal").await? {
                Err(refused) => refused,
                Ok(()) => {
                    let answer = browser.get(&self.onelogin.sso_url()).await?;
                    self.deliver(&s.user, &mut browser, &answer, s.post_after)
                        .await?
                }
            },
            Via::Sp => {
                let start = browser.get(&sign_on_url).await?;
                match start
                    .location
                    .clone()
                    .filter(|_| start.status.is_redirection())
                {
                    None => SignInRecord {
                        outcome: SignInOutcome::Refused,
                        by: Some(Side::Asana),
                        reason: Some(harness_saml::Reason::SamlOff.code().into()),
                        message: start.message(),
                    },
                    Some(to_idp) => {
                        let at_idp = browser.get(&to_idp).await?;
                        let login_url = at_idp.location.clone().unwrap_or_default();
                        let return_to = form_urlencoded::parse(
                            login_url.split_once('?').map_or("", |(_, q)| q).as_bytes(),
                        )
                        .find(|(k, _)| k == "return")
                        .map(|(_, v)| v.into_owned());
                        let Some(return_to) = return_to else {
                            return Err(fail(format!(
                                "OneLogin did not ask {email} to sign in: {} {}",
                                at_idp.status,
                                at_idp.message()
                            ))
                            .into());
                        };
                        match self
                            .onelogin_login(&mut browser, &email, &return_to)
                            .await?
                        {
                            Err(refused) => refused,
                            Ok(()) => {
                                let back = format!("{}{return_to}", self.onelogin.uri());
                                let answer = browser.get(&back).await?;
                                self.deliver(&s.user, &mut browser, &answer, s.post_after)
                                    .await?
                            }
                        }
                    }
                }
            }
        };
        self.sso.latest.insert(s.user.clone(), record);
        self.sso.browsers.insert(s.user.clone(), browser);
        Ok(())
    }

    /// `expect_session`: the fake Asana's `/-/home`, asked with the cookies of the person's
    /// last sign-in, says whether that session still holds, and for whom.
    pub(super) async fn expect_session(&mut self, e: &SessionExpectation) -> Result<(), Halt> {
        let home = format!("{}/-/home", self.asana("expect_session")?.uri());
        let email = self.login_name(&e.user).await?;
        let Some(browser) = self.sso.browsers.get_mut(&e.user) else {
            return Err(fail(format!(
                "{} has not signed in yet (use sign_in first)",
                e.user
            ))
            .into());
        };
        let page = browser.go(Method::GET, &home, None, true).await?;
        let reply: Value = serde_json::from_str(&page.body).unwrap_or(Value::Null);
        let actual = match (&reply["signed_in"], reply["user"]["email"].as_str()) {
            (Value::Bool(true), Some(who)) => format!("signed in as {who}"),
            (Value::Bool(false), _) => "signed out".to_owned(),
            _ => format!("HTTP {} {}", page.status, page.body),
        };
        let wanted = if e.signed_in {
            format!("signed in as {email}")
        } else {
            "signed out".to_owned()
        };
        if actual.eq_ignore_ascii_case(&wanted) {
            return Ok(());
        }
        Err(mismatch(format!("{}'s Asana session", e.user), wanted, actual).into())
    }

    /// Signs in to OneLogin with the documented password; a refusal is OneLogin's.
    async fn onelogin_login(
        &self,
        browser: &mut Browser,
        email: &str,
        return_to: &str,
    ) -> Result<Result<(), SignInRecord>, StepFailure> {
        let page = browser
            .post(
                &format!("{}/login", self.onelogin.uri()),
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
        &mut self,
        user: &str,
        browser: &mut Browser,
        answer: &Page,
        post_after: Option<Duration>,
    ) -> Result<SignInRecord, StepFailure> {
        let Some((action, saml_response, relay_state)) = answer.post_form() else {
            return Ok(onelogin_refusal(answer));
        };
        self.sso
            .responses
            .insert(user.to_owned(), saml_response.clone());
        if let Some(wait) = post_after {
            self.clock.advance(wait.0);
        }
        let mut form = vec![("SAMLResponse", saml_response.as_str())];
        if let Some(relay) = &relay_state {
            form.push(("RelayState", relay));
        }
        let (status, reply) = browser.post_for_json(&action, &form).await?;
        Ok(asana_outcome(status, &reply))
    }

    /// `tamper_assertion`: a fresh assertion for the user, changed as the attack says, posted
    /// to the ACS.
    pub(super) async fn tamper_assertion(&mut self, t: &Tamper) -> Result<(), Halt> {
        let acs = self.asana("tamper_assertion")?.acs_url();
        let payload = if t.attack == Attack::Replay {
            self.sso.responses.get(&t.user).cloned().ok_or_else(|| {
                fail(format!(
                    "replay needs an earlier sign_in of {} that got an answer from OneLogin",
                    t.user
                ))
            })?
        } else {
            let id = self.user_id(&t.user).await?;
            let path = self.sso_path("/assertion");
            let form = self
                .ol(
                    Method::POST,
                    &path,
                    Some(json!({"user_id": id})),
                    StatusCode::OK,
                )
                .await?;
            let b64 = form["SAMLResponse"].as_str().unwrap_or_default();
            let xml = String::from_utf8(STANDARD.decode(b64).unwrap_or_default())
                .map_err(|_| fail("OneLogin's SAMLResponse is not UTF-8"))?;
            attack(t.attack, &xml)?
        };
        let mut browser = self.sso.browser();
        let (status, reply) = browser
            .post_for_json(&acs, &[("SAMLResponse", payload.as_str())])
            .await?;
        self.sso
            .latest
            .insert(t.user.clone(), asana_outcome(status, &reply));
        Ok(())
    }

    /// `expect_sign_in`.
    pub(super) fn expect_sign_in(&self, e: &SignInExpectation) -> Result<(), StepFailure> {
        let Some(r) = self.sso.latest.get(&e.user) else {
            return Err(fail(format!(
                "{} has not tried to sign in yet (use sign_in or tamper_assertion first)",
                e.user
            )));
        };
        let describe = |r: &SignInRecord| match r.outcome {
            SignInOutcome::SignedIn => "signed_in".to_owned(),
            SignInOutcome::Refused => format!(
                "refused by {} ({}): {}",
                r.by.map_or("?", Side::label),
                r.reason.as_deref().unwrap_or("no reason"),
                r.message
            ),
        };
        let wanted = match e.outcome {
            SignInOutcome::SignedIn => "signed_in".to_owned(),
            SignInOutcome::Refused => format!(
                "refused{}{}",
                e.by.map(|b| format!(" by {}", b.label()))
                    .unwrap_or_default(),
                e.reason
                    .as_ref()
                    .map(|c| format!(" ({})", c.0))
                    .unwrap_or_default()
            ),
        };
        let matches = r.outcome == e.outcome
            && e.by.is_none_or(|b| r.by == Some(b))
            && e.reason
                .as_ref()
                .is_none_or(|c| r.reason.as_deref() == Some(c.0.as_str()))
            && e.message_contains
                .as_ref()
                .is_none_or(|m| r.message.contains(m.as_str()));
        if matches {
            return Ok(());
        }
        Err(mismatch(
            format!("{}'s sign-in", e.user),
            match &e.message_contains {
                Some(m) => format!("{wanted}, message containing {m:?}"),
                None => wanted,
            },
            describe(r),
        ))
    }
}

/// What the fake Asana's ACS or password form answered.
fn asana_outcome(status: StatusCode, reply: &Value) -> SignInRecord {
    if status == StatusCode::OK && reply["outcome"] == "signed_in" {
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

fn onelogin_refusal(page: &Page) -> SignInRecord {
    SignInRecord {
        outcome: SignInOutcome::Refused,
        by: Some(Side::Onelogin),
        reason: page.reason(),
        message: page.message(),
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
