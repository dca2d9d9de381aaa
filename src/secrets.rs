//! The secrets `serve` hands out: the admin token, the Asana service account's token and the
//! OneLogin API credential.
//!
//! On loopback they are fixed demo values, so that the README's commands work as written on a
//! person's own machine. Listening beyond loopback (a container, a shared CI host) a fixed secret
//! is no secret: each one is taken from the environment when given there, and minted from the
//! OS's random source at start when not. Minted secrets reach people only through the
//! credentials file, never the log or the banner.

use std::net::SocketAddr;

use fake_asana::Fixture;

use crate::BadInput;

/// The demo service account's fixed token (see fixtures/demo.yaml).
pub const DEMO_TOKEN: &str = "2/1200000000000101/1200000000000102:0123456789abcdef0123456789abcdef";

/// The OneLogin API credential `serve` starts with on loopback.
const DEMO_CLIENT_ID: &str = "demo-client-id";
const DEMO_CLIENT_SECRET: &str = "demo-client-secret";

/// Where each secret comes from, as the environment and flags give them.
#[derive(clap::Args)]
pub struct SecretArgs {
    /// Require this token on both fakes' admin API and console (Bearer, or Basic with it as the
    /// password). Minted at start when serving beyond loopback without it.
    #[arg(long, env = "ASANA_HARNESS_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// The token of the Asana service account `serve` seeds. Default: the demo's fixed token on
    /// loopback, a minted one beyond it.
    #[arg(
        long,
        env = "ASANA_HARNESS_SERVICE_ACCOUNT_TOKEN",
        hide_env_values = true
    )]
    pub service_account_token: Option<String>,
    /// The fake OneLogin's API client id. Default: `demo-client-id` on loopback, a minted one
    /// beyond it.
    #[arg(long, env = "ASANA_HARNESS_ONELOGIN_CLIENT_ID", hide_env_values = true)]
    pub onelogin_client_id: Option<String>,
    /// The fake OneLogin's API client secret. Default: `demo-client-secret` on loopback, a
    /// minted one beyond it.
    #[arg(
        long,
        env = "ASANA_HARNESS_ONELOGIN_CLIENT_SECRET",
        hide_env_values = true
    )]
    pub onelogin_client_secret: Option<String>,
}

/// The secrets one `serve` runs with.
pub struct Secrets {
    /// Whether any fake listens beyond loopback: then no fixed demo secret is served, and none
    /// is printed.
    pub exposed: bool,
    /// Whether any secret was minted here (and so is known only through the credentials file).
    pub minted: bool,
    pub admin_token: Option<String>,
    /// The service account's token when it was given or minted here; `None` leaves the
    /// fixture's own (the demo's fixed one on loopback).
    pub service_account_token: Option<String>,
    pub client_id: String,
    pub client_secret: String,
}

impl Secrets {
    pub fn decide(args: &SecretArgs, addrs: [SocketAddr; 2]) -> Result<Secrets, BadInput> {
        let exposed = addrs.iter().any(|a| !a.ip().is_loopback());
        for (name, value) in [
            ("ASANA_HARNESS_ADMIN_TOKEN", &args.admin_token),
            (
                "ASANA_HARNESS_SERVICE_ACCOUNT_TOKEN",
                &args.service_account_token,
            ),
            ("ASANA_HARNESS_ONELOGIN_CLIENT_ID", &args.onelogin_client_id),
            (
                "ASANA_HARNESS_ONELOGIN_CLIENT_SECRET",
                &args.onelogin_client_secret,
            ),
        ] {
            if let Some(v) = value
                && (v.is_empty() || v.chars().any(|c| c.is_whitespace() || c.is_control()))
            {
                return Err(BadInput(format!(
                    "{name} (or its flag) is empty or holds spaces or control characters"
                )));
            }
        }
        let mut minted = false;
        let mut fresh =
            |given: &Option<String>, demo: Option<&str>, prefix: &str| match (given, exposed, demo)
            {
                (Some(v), _, _) => Some(v.clone()),
                (None, false, demo) => demo.map(str::to_owned),
                (None, true, _) => {
                    minted = true;
                    Some(format!("{prefix}{}", random_hex()))
                }
            };
        let admin_token = fresh(&args.admin_token, None, "");
        let client_id = fresh(&args.onelogin_client_id, Some(DEMO_CLIENT_ID), "harness-")
            .expect("a client id always has a value");
        let client_secret = fresh(&args.onelogin_client_secret, Some(DEMO_CLIENT_SECRET), "")
            .expect("a client secret always has a value");
        // Minted later, by the fake Asana, in Asana's token shape.
        let service_account_token = args.service_account_token.clone();
        if exposed && service_account_token.is_none() {
            minted = true;
        }
        Ok(Secrets {
            exposed,
            minted,
            admin_token,
            service_account_token,
            client_id,
            client_secret,
        })
    }

    /// Applies the service account's token to a fixture about to seed the fake Asana: the one
    /// given, else (beyond loopback) none, so the fake mints one; on loopback the fixture keeps
    /// its own. A fixture without a service account gets one.
    pub fn apply_to(&self, fixture: &mut Fixture, is_demo: bool) {
        if !self.exposed && self.service_account_token.is_none() {
            return;
        }
        let Some(org) = fixture.organizations.first_mut() else {
            return;
        };
        match org.service_accounts.first_mut() {
            Some(sa) => {
                if self.service_account_token.is_some() || is_demo {
                    sa.token = self.service_account_token.clone();
                }
            }
            None => org
                .service_accounts
                .push(fake_asana::fixture::ServiceAccountFixture {
                    name: "OneLogin provisioning".to_owned(),
                    scope: fake_asana::Scope::Scim,
                    token: self.service_account_token.clone(),
                }),
        }
    }
}

/// 128 bits from the OS's random source, as 32 lowercase hex digits.
fn random_hex() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the OS has a random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
