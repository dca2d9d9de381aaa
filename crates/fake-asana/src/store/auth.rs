//! Tokens and who holds them: service accounts (minted in Asana's format, rotated,
//! deauthorized) and members' personal access tokens. A token exists in memory only while it is
//! checked; records keep digests.

use jiff::Timestamp;

use super::{Principal, Store, StoreError, TokenOwner};
use crate::model::*;
use crate::token::{self, TokenDigest};

impl Store {
    // -- tokens --------------------------------------------------------------------------------

    /// Who holds the token with this digest; deauthorized and rotated-away tokens are simply
    /// absent. Takes the digest, not the token, so a request hashes its token once for both this
    /// and the rate limiter.
    pub fn authenticate(&self, digest: &TokenDigest) -> Option<Principal> {
        Some(match *self.tokens.get(digest)? {
            TokenOwner::ServiceAccount { org, account } => {
                let scope = self.orgs.get(&org)?.service_accounts.get(&account)?.scope;
                Principal::ServiceAccount {
                    org,
                    account,
                    scope,
                }
            }
            TokenOwner::Personal { org, user } => {
                // A deprovisioned user's tokens stop working with them.
                if !self.orgs.get(&org)?.users.get(&user)?.is_active() {
                    return None;
                }
                Principal::Personal { org, user }
            }
        })
    }

    /// Creates a service account; returns it and its token (shown only now). `fixed_token`
    /// lets a fixture reproduce a customer's exact token.
    pub fn create_service_account(
        &mut self,
        org: Gid,
        name: &str,
        scope: Scope,
        now: Timestamp,
        fixed_token: Option<String>,
    ) -> Result<(ServiceAccountRecord, String), StoreError> {
        self.org(org)?;
        let gid = self.gid();
        let token_gid = self.gid();
        let token = fixed_token.unwrap_or_else(|| token::mint(&mut self.rng, gid.0, token_gid.0));
        let digest = TokenDigest::of(&token);
        if self.tokens.contains_key(&digest) {
            return Err(StoreError::TokenInUse);
        }
        let record = ServiceAccountRecord {
            gid,
            name: name.to_owned(),
            scope,
            created_at: now,
            token_digest: digest,
        };
        self.tokens
            .insert(digest, TokenOwner::ServiceAccount { org, account: gid });
        self.org_mut(org)
            .service_accounts
            .insert(gid, record.clone());
        Ok((record, token))
    }

    pub fn service_accounts(&self) -> Vec<(Gid, ServiceAccountRecord)> {
        self.orgs
            .values()
            .flat_map(|o| {
                o.service_accounts
                    .values()
                    .map(move |sa| (o.info.gid, sa.clone()))
            })
            .collect()
    }

    /// Renames a service account (the console's Save Changes).
    pub fn rename_service_account(&mut self, account: Gid, name: &str) -> Result<(), StoreError> {
        if name.trim().is_empty() {
            return Err(StoreError::EmptyServiceAccountName);
        }
        for org in self.orgs.values_mut() {
            if let Some(sa) = org.service_accounts.get_mut(&account) {
                sa.name = name.trim().to_owned();
                return Ok(());
            }
        }
        Err(StoreError::NoServiceAccount(account))
    }

    /// Deauthorizes a service account: its token stops working at once.
    pub fn delete_service_account(&mut self, account: Gid) -> Result<(), StoreError> {
        for org in self.orgs.values_mut() {
            if let Some(sa) = org.service_accounts.remove(&account) {
                self.tokens.remove(&sa.token_digest);
                return Ok(());
            }
        }
        Err(StoreError::NoServiceAccount(account))
    }

    /// Issues a new token for a service account; the old one dies.
    pub fn rotate_service_account(
        &mut self,
        account: Gid,
    ) -> Result<(Gid, ServiceAccountRecord, String), StoreError> {
        let org_gid = self
            .orgs
            .values()
            .find(|o| o.service_accounts.contains_key(&account))
            .ok_or(StoreError::NoServiceAccount(account))?
            .info
            .gid;
        let token_gid = self.gid();
        let token = token::mint(&mut self.rng, account.0, token_gid.0);
        let digest = TokenDigest::of(&token);
        let sa = self
            .org_mut(org_gid)
            .service_accounts
            .get_mut(&account)
            .expect("found above");
        let old = std::mem::replace(&mut sa.token_digest, digest);
        let record = sa.clone();
        self.tokens.remove(&old);
        self.tokens.insert(
            digest,
            TokenOwner::ServiceAccount {
                org: org_gid,
                account,
            },
        );
        Ok((org_gid, record, token))
    }

    /// Mints a personal access token for an ordinary member, found by gid or email.
    pub fn create_personal_access_token(
        &mut self,
        org: Gid,
        user: &str,
        now: Timestamp,
    ) -> Result<(PersonalAccessTokenRecord, String), StoreError> {
        let user = self
            .org(org)?
            .resolve_user(user)
            .ok_or_else(|| StoreError::NoUser {
                reference: user.to_owned(),
                org,
            })?;
        let gid = self.gid();
        let token = token::mint(&mut self.rng, user.0, gid.0);
        let digest = TokenDigest::of(&token);
        let record = PersonalAccessTokenRecord {
            gid,
            user,
            created_at: now,
            token_digest: digest,
        };
        self.tokens
            .insert(digest, TokenOwner::Personal { org, user });
        self.org_mut(org).pats.insert(gid, record.clone());
        Ok((record, token))
    }
}
