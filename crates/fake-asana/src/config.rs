//! Fidelity switches, profiles and rate limits.
//!
//! Every place the fake departs from plain RFC 7643/7644 behaviour to match Asana is one
//! [`Switch`]. Each switch's doc comment names the fact it reproduces and where that fact comes
//! from (`docs/fidelity/asana.md`; **[C]** confirmed, **[C3]** confirmed by a third party,
//! **[I]** inferred). The `asana` profile turns on every switch that matches Asana; the `rfc`
//! profile turns every switch off.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

macro_rules! switches {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, asana: $asana:literal; )*) => {
        /// A named fidelity switch. See the module documentation.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum Switch {
            $( $(#[$doc])* $variant, )*
        }

        impl Switch {
            pub const ALL: &'static [Switch] = &[$(Switch::$variant),*];

            /// The switch's wire name, as used in `/__admin/config` and scenario files.
            pub fn name(self) -> &'static str {
                match self { $(Switch::$variant => $name,)* }
            }

            /// The value in the `asana` profile.
            pub fn asana_default(self) -> bool {
                match self { $(Switch::$variant => $asana,)* }
            }

            pub fn from_name(name: &str) -> Option<Switch> {
                match name { $($name => Some(Switch::$variant),)* _ => None }
            }
        }
    };
}

switches! {
    /// `userName` must be an email address, or the request is `400 invalidValue`.
    /// [C] fidelity/asana §1.4, §5.1 (DEVDOCS-SCIM: "it must be an email address"); the status is [I].
    UsernameMustBeEmail = "username_must_be_email", asana: true;

    /// A user whose email domain is not one of the organization's domains is a guest: the POST
    /// succeeds but GET /Users and GET /Users/{id} never return them.
    /// [C] fidelity/asana §1.2 and §5.2 ("guest users are never returned"); the POST outcome is [I].
    OffDomainUsersAreGuests = "off_domain_users_are_guests", asana: true;

    /// DELETE /Users/{id} deprovisions ("zombifies"): the user stays, `active:false`, with a
    /// deprovision record. Off: the user is removed and GET answers 404.
    /// [C] fidelity/asana §1.2, §1.6 (DEVDOCS-SCIM); staying visible is [I].
    DeleteDeprovisions = "delete_deprovisions", asana: true;

    /// PATCH or PUT with `active:false` deprovisions, with the same record as DELETE.
    /// [C] fidelity/asana §1.2, §1.6 (DEVDOCS-SCIM).
    DeactivationDeprovisions = "deactivation_deprovisions", asana: true;

    /// `active:true` on a deprovisioned user is refused with 400.
    /// [C] fidelity/asana §1.6, §5.4 (HC-SCIM: "Reactivating users via SCIM is not supported");
    /// the status is [I].
    ReactivationRefused = "reactivation_refused", asana: true;

    /// A POST for the userName of a deprovisioned user adds that same user back (201, same id,
    /// a `user_reprovisioned` record) instead of conflicting.
    /// [C] fidelity/asana §1.6 (DEVDOCS-AUDIT `user_reprovisioned`); re-adding through POST is [I].
    PostReprovisions = "post_reprovisions", asana: true;

    /// `name.givenName` and `name.familyName` in a PATCH are ignored.
    /// [C] fidelity/asana §1.4, §5.3 ("Unsupported for PATCH request, use name.formatted");
    /// ignoring rather than failing is [I].
    NamePartsIgnoredInPatch = "name_parts_ignored_in_patch", asana: true;

    /// DELETE /Groups/{id} is refused with 405: Asana cannot delete teams over SCIM.
    /// [C] fidelity/asana §1.2, §1.7, §5.5; the status is [I].
    TeamDeleteRefused = "team_delete_refused", asana: true;

    /// A Group PATCH answers 204 No Content. Off: 200 with the group.
    /// [C] fidelity/asana §1.5 (DEVDOCS-SCIM example).
    GroupPatchNoContent = "group_patch_no_content", asana: true;

    /// Odd or unknown schema URNs in request bodies (OneLogin's `urn:scim:schemas:core:2.0`) are
    /// accepted, and attributes under OneLogin's `urn:scim:schemas:extension:enterprise:2.0` key
    /// are read as the enterprise extension's. Off: a body whose `schemas` lacks the resource's core URN, or names an unknown
    /// one, is `400 invalidSyntax`.
    /// [I] fidelity/asana §1.4; fidelity/onelogin §1.3 (S7: real OneLogin traffic carries them).
    LenientSchemas = "lenient_schemas", asana: true;

    /// User responses carry no `meta` block and no `Location` header.
    /// [C] fidelity/asana §1.4 (no meta in the documented examples); [I] no `meta.version`, fidelity/asana §1.3.
    OmitMeta = "omit_meta", asana: true;

    /// List responses carry no `startIndex` or `itemsPerPage`.
    /// [C] fidelity/asana §1.3 (the documented list example).
    ListWithoutPaging = "list_without_paging", asana: true;

    /// A missing, malformed or unknown token on the SCIM API gets Asana's REST error body
    /// (`{"errors":[{"message":"Not Authorized",...}]}`). Off: a SCIM error body.
    /// [I] fidelity/asana §2.1 (auth is shared middleware on /api/1.0).
    AuthErrorsInRestFormat = "auth_errors_in_rest_format", asana: true;

    /// `userType` is accepted and returned only in organizations with view-only licenses.
    /// [C] fidelity/asana §1.4, §5.10 (live DEVDOCS-SCIM).
    UserTypeOnlyInViewOnlyDomains = "user_type_only_in_view_only_domains", asana: true;

    /// Responses fill `name.givenName`/`familyName` from `name.formatted` and give emails
    /// `type:"work"`, as Asana's example response does.
    /// [C] fidelity/asana §1.4, §7 (DEVDOCS-SCIM example).
    ResponseFillsNameParts = "response_fills_name_parts", asana: true;

    /// There is no `POST /.search` endpoint (404). Off: RFC 7644 §3.4.3 search by POST.
    /// [I] fidelity/asana §1.2 (no `/.search` is documented).
    NoSearchEndpoint = "no_search_endpoint", asana: true;

    /// SCIM responses are `application/json`, the REST default. Off: `application/scim+json`
    /// (RFC 7644 §3.1). [I] fidelity/asana §7 (the content type is undocumented).
    PlainJsonContentType = "plain_json_content_type", asana: true;

    /// A PATCH `replace` whose value filter matches nothing (`addresses[type eq "work"].country`)
    /// creates the element, as Entra expects. Off: RFC 7644's `400 noTarget`.
    /// [C3] fidelity/asana §1.4 (Entra's Asana app maps these paths); Asana's handling is [I].
    CreateOnUnmatchedReplace = "create_on_unmatched_replace", asana: true;

    /// Filters are limited to what Asana documents: `userName eq "…"` on Users and
    /// `displayName eq "…"` on Groups. Any other filter is `400 invalidFilter`. Off: the whole
    /// RFC 7644 §3.4.2.2 grammar.
    /// [C] fidelity/asana §1.3 (DEVDOCS-SCIM: the only documented filters), fidelity/onelogin §4
    /// (S17); [C3] Entra marks them the only filterable attributes. The status is [I].
    OnlyDocumentedFilters = "only_documented_filters", asana: true;

    /// Attributes Asana does not use (`externalId`, `displayName`, `locale`, `timezone`) are
    /// accepted and dropped: responses never echo them. Off: stored and returned, as RFC 7643.
    /// [I] fidelity/asana §1.4 (not in Asana's attribute table; Entra dropped `externalId`).
    IgnoredAttributesDropped = "ignored_attributes_dropped", asana: true;

    /// A second POST for an active userName returns the existing user (200) instead of
    /// `409 uniqueness`. Off in both profiles: the issue and the RFC both say 409.
    /// [I] fidelity/asana §1.5 (the alternative the reference names).
    DuplicatePostReturnsExisting = "duplicate_post_returns_existing", asana: false;

    /// `count` and `startIndex` on a list are ignored: every match comes back in one response,
    /// as the current docs describe GET /Users ("full list"). Off in both profiles: the
    /// reference's inference is that Asana accepts and honours them.
    /// [C] fidelity/asana §1.3 (DEVDOCS-SCIM: the paging parameters were removed from the docs);
    /// honouring them is [I], and [C3] baton-asana still pages.
    ListIgnoresPaging = "list_ignores_paging", asana: false;

    /// A user off the organization's domains is refused with 400 instead of becoming a guest.
    /// Off in both profiles. [I] fidelity/asana §5.2 (the alternative the reference names).
    RejectOffDomainUsers = "reject_off_domain_users", asana: false;

    /// SAML sign-in adds a member whose email is on the organization's domains but who is not
    /// yet in Asana, and adds a deprovisioned member back (`user_reprovisioned`). Off in both
    /// profiles: such a sign-in is refused (`unknown_user`, `deprovisioned`).
    /// [C3] fidelity/saml §1 (HC-SAMLGROUP: licences are consumed "during sign-in", including for
    /// deprovisioned users); whether it happens without SAML group mapping is [I].
    SamlJustInTime = "saml_just_in_time", asana: false;
}

/// A configuration the fake refused, and why (`unknown switch "omit_meat"; known switches: ...`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("the config must be a JSON object")]
    NotAnObject,
    #[error("unknown config key {0:?}: expected profile, switches or rate_limit")]
    UnknownKey(String),
    /// A profile named in a config body (shown as the JSON it was).
    #[error("unknown profile {0}: expected \"asana\" or \"rfc\"")]
    UnknownProfile(String),
    /// A profile named on a command line.
    #[error("unknown profile {0:?}: expected asana or rfc")]
    UnknownProfileName(String),
    #[error("switches must be an object of name: bool")]
    SwitchesNotAnObject,
    #[error("unknown switch {name:?}; known switches: {known}")]
    UnknownSwitch { name: String, known: String },
    #[error("switch {0} must be true or false")]
    NotABool(String),
    #[error("rate_limit must be an object")]
    RateLimitNotAnObject,
    #[error("unknown rate_limit key {0:?}")]
    UnknownRateLimitKey(String),
    #[error("invalid rate_limit: {0}")]
    InvalidRateLimit(String),
}

/// A named set of switch values.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// Every switch at Asana's value.
    #[default]
    Asana,
    /// Every switch off: plain RFC 7643/7644.
    Rfc,
}

impl std::str::FromStr for Profile {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "asana" => Ok(Profile::Asana),
            "rfc" => Ok(Profile::Rfc),
            other => Err(ConfigError::UnknownProfileName(other.to_owned())),
        }
    }
}

/// Switch values. Cheap to copy; read on every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Switches {
    bits: u64,
}

impl Switches {
    pub fn for_profile(profile: Profile) -> Self {
        let mut s = Switches { bits: 0 };
        for &sw in Switch::ALL {
            s.set(sw, profile == Profile::Asana && sw.asana_default());
        }
        s
    }

    pub fn on(&self, sw: Switch) -> bool {
        self.bits & (1 << sw as u64) != 0
    }

    pub fn set(&mut self, sw: Switch, on: bool) {
        if on {
            self.bits |= 1 << sw as u64;
        } else {
            self.bits &= !(1 << sw as u64);
        }
    }

    pub fn to_map(self) -> BTreeMap<&'static str, bool> {
        Switch::ALL
            .iter()
            .map(|&s| (s.name(), self.on(s)))
            .collect()
    }
}

/// Asana's documented limits, per token: 1,500 requests a minute on paid domains, 50 concurrent
/// reads and 15 concurrent writes (fidelity/asana §4, [C] DEVDOCS-RL). `None` turns a limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimits {
    pub requests_per_minute: Option<u32>,
    pub concurrent_reads: Option<u32>,
    pub concurrent_writes: Option<u32>,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            requests_per_minute: Some(1500),
            concurrent_reads: Some(50),
            concurrent_writes: Some(15),
        }
    }
}

impl RateLimits {
    pub const OFF: RateLimits = RateLimits {
        requests_per_minute: None,
        concurrent_reads: None,
        concurrent_writes: None,
    };
}

/// The whole behaviour configuration, as `GET /__admin/config` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    pub profile: Profile,
    pub switches: Switches,
    pub rate_limit: RateLimits,
}

impl Config {
    pub fn new(profile: Profile) -> Self {
        Self {
            profile,
            switches: Switches::for_profile(profile),
            rate_limit: RateLimits::default(),
        }
    }

    pub fn on(&self, sw: Switch) -> bool {
        self.switches.on(sw)
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "profile": self.profile,
            "switches": self.switches.to_map(),
            "rate_limit": self.rate_limit,
        })
    }

    /// Applies a `PUT /__admin/config` body: `profile` first (it resets every switch), then
    /// individual `switches`, then `rate_limit`. Unknown names are errors, so a typo in a
    /// scenario cannot silently test the wrong thing. A refused update changes nothing.
    pub fn update(&mut self, body: &serde_json::Value) -> Result<(), ConfigError> {
        let obj = body.as_object().ok_or(ConfigError::NotAnObject)?;
        for key in obj.keys() {
            if !["profile", "switches", "rate_limit"].contains(&key.as_str()) {
                return Err(ConfigError::UnknownKey(key.clone()));
            }
        }
        let mut next = *self;
        if let Some(p) = obj.get("profile") {
            let p: Profile = serde_json::from_value(p.clone())
                .map_err(|_| ConfigError::UnknownProfile(p.to_string()))?;
            next.profile = p;
            next.switches = Switches::for_profile(p);
        }
        if let Some(sw) = obj.get("switches") {
            let sw = sw.as_object().ok_or(ConfigError::SwitchesNotAnObject)?;
            for (name, value) in sw {
                let switch = Switch::from_name(name).ok_or_else(|| {
                    let known: Vec<_> = Switch::ALL.iter().map(|s| s.name()).collect();
                    ConfigError::UnknownSwitch {
                        name: name.clone(),
                        known: known.join(", "),
                    }
                })?;
                let on = value
                    .as_bool()
                    .ok_or_else(|| ConfigError::NotABool(name.clone()))?;
                next.switches.set(switch, on);
            }
        }
        if let Some(rl) = obj.get("rate_limit") {
            let mut merged = serde_json::to_value(next.rate_limit).expect("serializes");
            let patch = rl.as_object().ok_or(ConfigError::RateLimitNotAnObject)?;
            for (k, v) in patch {
                if merged.get(k).is_none() {
                    return Err(ConfigError::UnknownRateLimitKey(k.clone()));
                }
                merged[k] = v.clone();
            }
            next.rate_limit = serde_json::from_value(merged)
                .map_err(|e| ConfigError::InvalidRateLimit(e.to_string()))?;
        }
        *self = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rfc_profile_turns_every_switch_off() {
        let rfc = Switches::for_profile(Profile::Rfc);
        assert!(Switch::ALL.iter().all(|&s| !rfc.on(s)));
        let asana = Switches::for_profile(Profile::Asana);
        assert!(asana.on(Switch::DeleteDeprovisions));
        assert!(!asana.on(Switch::RejectOffDomainUsers));
    }

    #[test]
    fn update_applies_profile_then_switches_and_rejects_typos() {
        let mut c = Config::new(Profile::Asana);
        c.update(&json!({"profile": "rfc", "switches": {"omit_meta": true}, "rate_limit": {"requests_per_minute": null}})).unwrap();
        assert_eq!(c.profile, Profile::Rfc);
        assert!(c.on(Switch::OmitMeta));
        assert!(!c.on(Switch::DeleteDeprovisions));
        assert_eq!(c.rate_limit.requests_per_minute, None);
        assert_eq!(c.rate_limit.concurrent_reads, Some(50));
        let before = c;
        assert!(
            c.update(&json!({"switches": {"omit_meat": true}}))
                .unwrap_err()
                .to_string()
                .contains("known switches")
        );
        assert!(c.update(&json!({"profile": "okta"})).is_err());
        assert_eq!(c, before, "a rejected update changes nothing");
    }

    #[test]
    fn switch_names_round_trip() {
        for &s in Switch::ALL {
            assert_eq!(Switch::from_name(s.name()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), json!(s.name()));
        }
    }
}
