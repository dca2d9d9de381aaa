//! Asana's side, read with the token OneLogin holds: the Enable button's probe
//! (fidelity/onelogin §4), `GET /users/me`, which says whose token it is (fidelity/asana §3.3),
//! and a page of SCIM users. Answers are kept whatever their status: a 401 is a finding about
//! the token, for the checks to name.

use serde::Serialize;

use super::session::{ReadError, Response, Session};
use crate::inputs::Inputs;

/// How many members one page asks for (SCIM `count`).
const PAGE: usize = 100;

#[derive(Debug, Clone, Serialize)]
pub struct AsanaReadings {
    /// `GET /Users?filter=userName eq "never-existing-user"`, as OneLogin's Enable sends it.
    pub probe: Response,
    /// `GET /api/1.0/users/me`: the token's own user (a service account's, or a person's for a
    /// personal access token).
    pub me: Response,
    /// `GET /Users?startIndex=1&count=100`.
    pub users: Response,
}

pub(super) async fn read(
    session: &mut Session<'_>,
    inputs: &Inputs,
) -> Result<AsanaReadings, ReadError> {
    let scim = inputs.asana_scim_url.trim_end_matches('/');
    let token = &inputs.asana_token;
    let probe = session
        .send(
            "Asana's SCIM API (the Enable button's probe)",
            session
                .client
                .get(format!(
                    "{scim}/Users?filter=userName%20eq%20%22never-existing-user%22"
                ))
                .bearer_auth(token),
        )
        .await?;
    // The REST API sits beside SCIM: `…/api/1.0/scim` → `…/api/1.0/users/me`.
    let rest = scim.strip_suffix("/scim").unwrap_or(scim);
    let me = session
        .send(
            "whose token OneLogin holds (Asana's /users/me)",
            session
                .client
                .get(format!("{rest}/users/me"))
                .bearer_auth(token),
        )
        .await?;
    let users = session
        .send(
            "Asana's members over SCIM",
            session
                .client
                .get(format!("{scim}/Users?startIndex=1&count={PAGE}"))
                .bearer_auth(token),
        )
        .await?;
    Ok(AsanaReadings { probe, me, users })
}
