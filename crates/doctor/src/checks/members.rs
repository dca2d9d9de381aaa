//! Asana's members as the doctor's one page of SCIM users shows them (fidelity/asana §1.4), and
//! the people with the app as OneLogin lists them, keyed alike: by email, lowercased, since
//! Asana matches `userName` without regard to case (fidelity/asana §5.11).

use serde_json::Value;

use crate::read::{AppUser, Readings};

/// One SCIM user of the page.
pub(super) struct Member {
    pub user_name: String,
    pub emails: Vec<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub active: bool,
}

impl Member {
    /// Whether this member is the person with this email.
    pub fn is(&self, email: &str) -> bool {
        let email = email.to_lowercase();
        self.user_name.to_lowercase() == email || self.emails.contains(&email)
    }
}

/// The page's members, and whether it holds all of them; `None` when Asana refused the read
/// (the token checks say why).
pub(super) fn page(readings: &Readings) -> Option<(Vec<Member>, bool)> {
    let users = &readings.asana.users;
    if users.status != 200 {
        return None;
    }
    let resources = users.body["Resources"].as_array()?;
    let members: Vec<Member> = resources.iter().map(member).collect();
    let total = users.body["totalResults"].as_u64().unwrap_or(0);
    let complete = total <= members.len() as u64;
    Some((members, complete))
}

fn member(r: &Value) -> Member {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    Member {
        user_name: r["userName"].as_str().unwrap_or_default().to_owned(),
        emails: r["emails"]
            .as_array()
            .map(|es| {
                es.iter()
                    .filter_map(|e| e["value"].as_str())
                    .map(str::to_lowercase)
                    .collect()
            })
            .unwrap_or_default(),
        given_name: text(&r["name"]["givenName"]),
        family_name: text(&r["name"]["familyName"]),
        // SCIM's default for a missing `active` is true (RFC 7643 §4.1.1 leaves it to the
        // service; Asana writes it on every user).
        active: r["active"].as_bool().unwrap_or(true),
    }
}

/// How a person with the app is named in a finding: their email, else their username, else id.
pub(super) fn label(user: &AppUser) -> String {
    user.email
        .clone()
        .or_else(|| user.username.clone())
        .unwrap_or_else(|| format!("user {}", user.id))
}

/// At most this many people are named in one finding; the rest are counted.
const NAMED: usize = 10;

/// `a, b, c and 4 more`.
pub(super) fn list(names: &[String]) -> String {
    let shown = names
        .iter()
        .take(NAMED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    match names.len().saturating_sub(NAMED) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}
