//! Identities for runs against a real organization: every email a scenario makes moves into the
//! organization's domain, with a per-run part in its local part, so a second run never meets the
//! users the first one deprovisioned (Asana cannot reactivate them over SCIM,
//! fidelity/asana §1.6).
//!
//! The scenario library's organization is on `acme.test` (or the domains its `given.asana`
//! names): those emails go to `--domain`. Any other domain is a guest's, and stays: a guest must
//! stay off the organization's domains. Emails are rewritten wherever they are written, as
//! `ada@acme.test` or URL-encoded as `ada%40acme.test`, in the scenario and its OneLogin fixture,
//! so that every step and expectation names the same rewritten person.

use serde::Deserialize;

/// `--domain D --run-id R`: `ada@acme.test` becomes `ada.R-xxxx@D`, `cleo@agency.test` becomes
/// `cleo.R-xxxx@agency.test`, where `xxxx` marks the scenario file (see
/// [`for_scenario`](Self::for_scenario)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identities {
    pub domain: String,
    pub run_id: String,
}

/// The domains the library's organization is on when a scenario names none.
const DEFAULT_ORG_DOMAINS: &[&str] = &["acme.test"];

/// Letters and digits for run ids and file marks, without the look-alikes `l`, `o`, `0`, `1`.
const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";

impl Identities {
    pub fn new(domain: impl Into<String>, run_id: impl Into<String>) -> Self {
        Identities {
            domain: domain.into().to_ascii_lowercase(),
            run_id: run_id.into(),
        }
    }

    /// A fresh run id: eight lowercase letters and digits.
    pub fn new_run_id() -> String {
        use rand::Rng;
        let mut rng = rand::rng();
        (0..8)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect()
    }

    /// The identities of one scenario of the run: the run id with a short mark of the file, so
    /// two scenarios of one run never share a person either (they may run at once).
    pub fn for_scenario(&self, path: &str) -> Identities {
        let mut h = harness_server::stable_hash(path);
        let mark: String = (0..4)
            .map(|_| {
                let c = ALPHABET[(h % ALPHABET.len() as u64) as usize] as char;
                h /= ALPHABET.len() as u64;
                c
            })
            .collect();
        Identities {
            domain: self.domain.clone(),
            run_id: format!("{}-{mark}", self.run_id),
        }
    }

    /// The local part an email had before [`rewrite`](Self::rewrite): what OneLogin derives a
    /// username from, which stays as the scenario wrote it.
    pub fn original_local<'a>(&self, email: &'a str) -> Option<&'a str> {
        let local = email.split('@').next()?;
        local.strip_suffix(&format!(".{}", self.run_id))
    }

    /// Whether a run id can sit in an email's local part.
    pub fn valid_run_id(id: &str) -> bool {
        !id.is_empty()
            && id.len() <= 32
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    }

    /// The organization's domains a scenario's text names (`given.asana.domains`), or the
    /// library's default.
    pub fn org_domains(scenario_text: &str) -> Vec<String> {
        #[derive(Deserialize, Default)]
        struct Doc {
            #[serde(default)]
            given: Given,
        }
        #[derive(Deserialize, Default)]
        struct Given {
            #[serde(default)]
            asana: Asana,
        }
        #[derive(Deserialize, Default)]
        struct Asana {
            #[serde(default)]
            domains: Vec<String>,
        }
        let named = serde_saphyr::from_str::<Doc>(scenario_text)
            .map(|d| d.given.asana.domains)
            .unwrap_or_default();
        if named.is_empty() {
            DEFAULT_ORG_DOMAINS
                .iter()
                .map(|d| (*d).to_owned())
                .collect()
        } else {
            named.into_iter().map(|d| d.to_ascii_lowercase()).collect()
        }
    }

    /// Rewrites every email in `text`. Organization domains after the first keep their name in
    /// the local part, so two of them cannot collapse into one person.
    pub fn rewrite(&self, text: &str, org_domains: &[String]) -> String {
        let mut out = String::with_capacity(text.len() + 64);
        let mut rest = text;
        while let Some((at, sep)) = next_at(rest) {
            let local_start = rest[..at].rfind(|c: char| !is_local(c)).map_or(0, |i| {
                i + rest[i..].chars().next().map_or(1, char::len_utf8)
            });
            let after = &rest[at + sep.len()..];
            let domain_len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
                .unwrap_or(after.len());
            let domain = after[..domain_len].trim_end_matches('.');
            let local = &rest[local_start..at];
            if local.is_empty() || !domain.contains('.') {
                out.push_str(&rest[..at + sep.len()]);
                rest = &rest[at + sep.len()..];
                continue;
            }
            out.push_str(&rest[..local_start]);
            let lower = domain.to_ascii_lowercase();
            match org_domains.iter().position(|d| *d == lower) {
                Some(0) => {
                    out.push_str(&format!("{local}.{}{sep}{}", self.run_id, self.domain));
                }
                Some(_) => {
                    let label = lower.split('.').next().unwrap_or("");
                    out.push_str(&format!(
                        "{local}.{label}.{}{sep}{}",
                        self.run_id, self.domain
                    ));
                }
                None => out.push_str(&format!("{local}.{}{sep}{domain}", self.run_id)),
            }
            rest = &after[domain.len()..];
        }
        out.push_str(rest);
        out
    }
}

/// The next `@` or URL-encoded `%40`, and which.
fn next_at(text: &str) -> Option<(usize, &'static str)> {
    let plain = text.find('@');
    let encoded = text.find("%40");
    match (plain, encoded) {
        (Some(p), Some(e)) if e < p => Some((e, "%40")),
        (Some(p), _) => Some((p, "@")),
        (None, Some(e)) => Some((e, "%40")),
        (None, None) => None,
    }
}

fn is_local(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(text: &str) -> String {
        Identities::new("corp.example", "r1")
            .rewrite(text, &["acme.test".into(), "acme-eu.test".into()])
    }

    #[test]
    fn members_move_into_the_domain_and_guests_keep_theirs() {
        assert_eq!(rewrite("ada@acme.test"), "ada.r1@corp.example");
        assert_eq!(
            rewrite("{ email: Ada@ACME.test }"),
            "{ email: Ada.r1@corp.example }"
        );
        assert_eq!(rewrite("cleo@agency.test"), "cleo.r1@agency.test");
        assert_eq!(rewrite("bo@acme-eu.test"), "bo.acme-eu.r1@corp.example");
    }

    #[test]
    fn url_encoded_emails_and_sentences_are_rewritten_in_place() {
        assert_eq!(
            rewrite("GET /Users?filter=userName+eq+%22ada%40acme.test%22&"),
            "GET /Users?filter=userName+eq+%22ada.r1%40corp.example%22&"
        );
        assert_eq!(
            rewrite("a user with userName ada@acme.test. already exists"),
            "a user with userName ada.r1@corp.example. already exists"
        );
    }

    #[test]
    fn what_is_not_an_email_is_left_alone() {
        for text in ["${sa.token}", "@ alone", "x@localhost", "no at all", "%40"] {
            assert_eq!(rewrite(text), text);
        }
    }

    #[test]
    fn the_original_local_part_comes_back() {
        let i = Identities::new("corp.example", "r1");
        assert_eq!(i.original_local("ada.r1@corp.example"), Some("ada"));
        assert_eq!(i.original_local("ada@corp.example"), None);
    }

    #[test]
    fn run_ids_fit_in_a_local_part() {
        let id = Identities::new_run_id();
        assert!(Identities::valid_run_id(&id), "{id}");
        assert!(!Identities::valid_run_id("a b"));
        assert!(!Identities::valid_run_id(""));
    }
}
