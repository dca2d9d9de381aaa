//! The switches that change only the shape of a SCIM answer, or what a request may say, read
//! once per request into a [`ScimDialect`] the handlers render by. The handlers never read a
//! switch: what the profile means is decided here, beside the store's other decisions.

use harness_scim::ListQuery;
use harness_scim::names::{ENTERPRISE_USER_URN, PATCH_OP_URN, canonical_schema};
use serde_json::Value;

use super::error::StoreError;
use crate::config::{Config, Switch};
use crate::model::Organization;

/// How SCIM speaks in this configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScimDialect {
    meta: bool,
    asana_user_shape: bool,
    user_type_only_in_view_only_domains: bool,
    lenient_schemas: bool,
    search_endpoint: bool,
    only_documented_filters: bool,
    full_list: bool,
    paging_fields: bool,
    group_patch_answers_group: bool,
    scim_media_type: bool,
    shared_errors_in_rest_format: bool,
}

/// What a Group PATCH answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupPatchAnswer {
    /// 204 No Content (Asana's example).
    NoContent,
    /// 200 with the group (RFC 7644 §3.5.2).
    Group,
}

impl ScimDialect {
    pub fn of(cfg: &Config) -> Self {
        Self {
            meta: !cfg.on(Switch::OmitMeta),
            asana_user_shape: cfg.on(Switch::ResponseFillsNameParts),
            user_type_only_in_view_only_domains: cfg.on(Switch::UserTypeOnlyInViewOnlyDomains),
            lenient_schemas: cfg.on(Switch::LenientSchemas),
            search_endpoint: !cfg.on(Switch::NoSearchEndpoint),
            only_documented_filters: cfg.on(Switch::OnlyDocumentedFilters),
            full_list: cfg.on(Switch::ListIgnoresPaging),
            paging_fields: !cfg.on(Switch::ListWithoutPaging),
            group_patch_answers_group: !cfg.on(Switch::GroupPatchNoContent),
            scim_media_type: !cfg.on(Switch::PlainJsonContentType),
            shared_errors_in_rest_format: cfg.on(Switch::AuthErrorsInRestFormat),
        }
    }

    /// Whether resources carry `meta`, a `Location` header and members' `$ref`s.
    pub fn meta(&self) -> bool {
        self.meta
    }

    /// Whether a user answer always reports `active`, fills `givenName`/`familyName` from
    /// `formatted` and types emails `work`, as Asana's example response does.
    pub fn asana_user_shape(&self) -> bool {
        self.asana_user_shape
    }

    /// Whether this organization's users show a `userType`.
    pub fn shows_user_type(&self, org: &Organization) -> bool {
        !self.user_type_only_in_view_only_domains || org.view_only_licenses
    }

    /// Whether SCIM answers are `application/scim+json` (RFC 7644 §3.1) rather than plain JSON.
    pub fn scim_media_type(&self) -> bool {
        self.scim_media_type
    }

    /// Whether the errors of Asana's shared middleware (401, 403, 429) use the REST body on the
    /// SCIM API too.
    pub fn shared_errors_in_rest_format(&self) -> bool {
        self.shared_errors_in_rest_format
    }

    pub fn group_patch_answer(&self) -> GroupPatchAnswer {
        if self.group_patch_answers_group {
            GroupPatchAnswer::Group
        } else {
            GroupPatchAnswer::NoContent
        }
    }

    /// `POST .search`: refused as an unknown path where Asana has none.
    pub fn search_allowed(&self) -> Result<(), StoreError> {
        if self.search_endpoint {
            Ok(())
        } else {
            Err(StoreError::NoSuchEndpoint)
        }
    }

    /// Under `only_documented_filters`, a filter other than the one Asana documents for the
    /// resource (`attribute eq "value"`) is refused the way a client would see it.
    pub fn documented_filter_only(
        &self,
        query: &ListQuery,
        documented: bool,
        attribute: &'static str,
        resource: &'static str,
    ) -> Result<(), StoreError> {
        if query.filter.is_none() || documented || !self.only_documented_filters {
            return Ok(());
        }
        Err(StoreError::UndocumentedFilter {
            resource,
            attribute,
        })
    }

    /// The slice of `total` matches a list answers: the page `query` asks for, or every match
    /// when Asana's "full list" is on (`list_ignores_paging`).
    pub fn page(&self, query: &ListQuery, total: usize) -> std::ops::Range<usize> {
        if self.full_list {
            0..total
        } else {
            query.page(total)
        }
    }

    /// The `startIndex` a list reports.
    pub fn start_index(&self, query: &ListQuery) -> usize {
        if self.full_list { 1 } else { query.start_index }
    }

    /// Whether a list shows `startIndex` and `itemsPerPage`.
    pub fn paging_fields(&self) -> bool {
        self.paging_fields
    }

    /// Without `lenient_schemas`, a body must name the resource's core schema and nothing
    /// unknown.
    pub fn check_schemas(&self, body: &Value, core: &str) -> Result<(), StoreError> {
        if self.lenient_schemas {
            return Ok(());
        }
        let schemas: Vec<&str> = body
            .get("schemas")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if !schemas.iter().any(|s| s.eq_ignore_ascii_case(core)) {
            return Err(StoreError::SchemasMissing(core.to_owned()));
        }
        let allowed = |s: &str| {
            s.eq_ignore_ascii_case(core)
                || canonical_schema(s).is_some()
                || s.eq_ignore_ascii_case(PATCH_OP_URN)
        };
        if let Some(unknown) = schemas.iter().find(|s| !allowed(s)) {
            return Err(StoreError::UnknownSchema((*unknown).to_owned()));
        }
        Ok(())
    }

    /// OneLogin's templates name the enterprise extension
    /// `urn:scim:schemas:extension:enterprise:2.0` (fidelity/onelogin §1.3, S7). Under
    /// `lenient_schemas` its attributes are read as the RFC extension's, so a department sent
    /// that way is not lost.
    pub fn onelogin_extension_key(&self, mut body: Value) -> Value {
        if !self.lenient_schemas {
            return body;
        }
        if let Some(obj) = body.as_object_mut() {
            let legacy: Vec<String> = obj
                .keys()
                .filter(|k| {
                    ONELOGIN_ENTERPRISE_KEYS
                        .iter()
                        .any(|legacy| k.eq_ignore_ascii_case(legacy))
                })
                .cloned()
                .collect();
            for key in legacy {
                if let Some(v) = obj.remove(&key) {
                    obj.entry(ENTERPRISE_USER_URN.to_owned()).or_insert(v);
                }
            }
        }
        body
    }
}

/// The keys OneLogin's templates put enterprise attributes under (fidelity/onelogin §1.3, S7).
const ONELOGIN_ENTERPRISE_KEYS: [&str; 2] = [
    "urn:scim:schemas:extension:enterprise:2.0",
    "urn:scim:schemas:extension:enterprise:2.0:User",
];
