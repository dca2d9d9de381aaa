//! What `serve` prints once both fakes answer: their URLs, the token, where the state is.
//! Scripts wait for its first line (`The harness is ready`).

use std::path::Path;

use fake_asana::{FakeAsana, Profile};
use fake_onelogin::FakeOneLogin;

/// What the banner says: the fakes, where the state is, the token to show.
pub struct Banner<'a> {
    pub profile: Profile,
    pub state: Option<&'a Path>,
    pub restored: bool,
    pub asana: &'a FakeAsana,
    pub onelogin: &'a FakeOneLogin,
    /// The token, or where it is when it is not shown.
    pub token: &'a str,
    /// Whether OneLogin's client secret may be printed (on loopback only).
    pub reveal: bool,
    pub ca_path: Option<&'a Path>,
}

pub fn print(banner: &Banner<'_>) {
    let Banner {
        profile,
        state,
        restored,
        asana,
        onelogin,
        token,
        reveal,
        ca_path,
    } = *banner;
    let profile = match profile {
        Profile::Asana => "asana",
        Profile::Rfc => "rfc",
    };
    let creds = onelogin.api_credentials();
    println!("The harness is ready: a fake Asana ({profile} profile) and a fake OneLogin.");
    if let Some(path) = state {
        let how = if restored {
            "restored from"
        } else {
            "saving to"
        };
        println!("State: {how} {}", path.display());
    }
    if let Some(path) = ca_path {
        println!("HTTPS: clients trust the CA in {}", path.display());
    }
    println!();
    println!("Asana");
    println!("  Admin console:          {}/admin", asana.uri());
    println!("  SCIM base URL:          {}", asana.scim_url());
    println!("  REST base URL:          {}", asana.base_url());
    println!("  Admin API:              {}/__admin", asana.uri());
    println!("  Service account token:  {token}");
    println!(
        "  SAML:                   ACS {}, sign-on {} (Security tab: /admin/security)",
        asana.acs_url(),
        asana.sign_on_url()
    );
    println!("OneLogin");
    println!("  Admin console:          {}/admin", onelogin.uri());
    if reveal {
        println!(
            "  API:                    {}  (client credentials {} / {})",
            onelogin.uri(),
            creds.client_id,
            creds.client_secret
        );
    } else {
        println!(
            "  API:                    {}  (client credentials {})",
            onelogin.uri(),
            token
        );
    }
    println!("  Admin API:              {}/__admin", onelogin.uri());
    println!(
        "  SAML:                   {} (metadata {}); people sign in at {}/login with the password {}",
        onelogin.sso_url(),
        onelogin.metadata_url(),
        onelogin.uri(),
        fake_onelogin::PASSWORD
    );
    println!();
    println!(
        "Next: open {}/admin/apps/{}/configuration, paste the service account token, Save, then Enable.",
        onelogin.uri(),
        onelogin.asana_app_id()
    );
    println!("Stop with Ctrl-C.");
}
