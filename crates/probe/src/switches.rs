//! Which fidelity switch explains which difference, one row per switch: the probe checks whose
//! observation it changes, and the differences between two sequences of exchanges it explains
//! (`run --compare`). The match over the switches is exhaustive, so a new switch does not
//! compile until its row says what reveals it (possibly nothing).

use fake_asana::Switch;

use crate::check::Check;

/// What reveals one switch.
#[derive(Debug, Clone, Copy)]
pub struct Reveals {
    /// The probe checks whose observation differs when the switch does.
    pub checks: &'static [Check],
    /// The response-body differences it explains.
    pub bodies: &'static [BodyRule],
    /// The status differences it explains.
    pub statuses: &'static [StatusRule],
}

/// A body difference, by the attribute it is about (the first segment of its JSON path).
#[derive(Debug, Clone, Copy)]
pub struct BodyRule {
    pub roots: &'static [&'static str],
    /// The path must end with one of these; empty: any path under the root.
    pub ends_with: &'static [&'static str],
    /// What the fake answered.
    pub when: FakeStatus,
}

/// The fake's status a [`BodyRule`] asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FakeStatus {
    Any,
    /// 401, 403 or 429: Asana's shared refusals.
    AuthRefusal,
    /// Anything else, or no answer.
    NotAuthRefusal,
}

/// A status difference: the request's method and target, the fake's status and the endpoint's
/// (`None`: any).
#[derive(Debug, Clone, Copy)]
pub struct StatusRule {
    pub methods: &'static [&'static str],
    pub statuses: &'static [(u16, Option<u16>)],
    pub on: Target,
}

/// What a [`StatusRule`]'s request is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Any,
    /// One user: `/Users/{id}`.
    User,
    /// One group: `/Groups/{id}`.
    Group,
    /// `POST /.search`.
    Search,
    /// A request with a `filter` in its query.
    Filter,
}

const NOTHING: Reveals = Reveals {
    checks: &[],
    bodies: &[],
    statuses: &[],
};

const fn body(roots: &'static [&'static str]) -> BodyRule {
    BodyRule {
        roots,
        ends_with: &[],
        when: FakeStatus::Any,
    }
}

/// The table.
pub fn reveals(switch: Switch) -> Reveals {
    match switch {
        Switch::UsernameMustBeEmail => Reveals {
            checks: &[Check::UserNameMustBeEmail],
            statuses: &[StatusRule {
                methods: &["POST"],
                statuses: &[(400, Some(201))],
                on: Target::Any,
            }],
            ..NOTHING
        },
        Switch::OffDomainUsersAreGuests => Reveals {
            checks: &[Check::GuestVisibility],
            ..NOTHING
        },
        Switch::DeleteDeprovisions => Reveals {
            checks: &[Check::DeleteKeepsUser],
            bodies: const { &[body(&["active"])] },
            statuses: &[StatusRule {
                methods: &["GET"],
                statuses: &[(200, Some(404)), (404, Some(200))],
                on: Target::User,
            }],
        },
        Switch::ReactivationRefused => Reveals {
            checks: &[Check::Reactivation],
            statuses: &[StatusRule {
                methods: &["PUT", "PATCH"],
                statuses: &[(400, Some(200))],
                on: Target::User,
            }],
            ..NOTHING
        },
        Switch::PostReprovisions => Reveals {
            statuses: &[StatusRule {
                methods: &["POST"],
                statuses: &[(201, Some(409)), (409, Some(201))],
                on: Target::Any,
            }],
            ..NOTHING
        },
        Switch::NamePartsIgnoredInPatch => Reveals {
            checks: &[Check::PatchNameParts],
            ..NOTHING
        },
        Switch::TeamDeleteRefused => Reveals {
            checks: &[Check::TeamDelete],
            statuses: &[StatusRule {
                methods: &["DELETE"],
                statuses: &[(405, None)],
                on: Target::Group,
            }],
            ..NOTHING
        },
        Switch::GroupPatchNoContent => Reveals {
            checks: &[Check::GroupMemberPatch],
            statuses: &[StatusRule {
                methods: &["PATCH"],
                statuses: &[(204, Some(200)), (200, Some(204))],
                on: Target::Group,
            }],
            ..NOTHING
        },
        // OneLogin's schema URNs: Asana reads them, an RFC server refuses them
        // (`invalidSyntax`).
        Switch::LenientSchemas => Reveals {
            checks: &[Check::OneloginSchemaUrns],
            bodies: &[BodyRule {
                roots: &["scimType"],
                ends_with: &[],
                when: FakeStatus::NotAuthRefusal,
            }],
            statuses: &[StatusRule {
                methods: &["POST", "PUT"],
                statuses: &[(200, Some(400)), (201, Some(400))],
                on: Target::Any,
            }],
        },
        Switch::OmitMeta => Reveals {
            checks: &[Check::CreateResponse],
            bodies: const { &[body(&["meta"])] },
            ..NOTHING
        },
        Switch::ListWithoutPaging => Reveals {
            checks: &[Check::ListPagingFields],
            bodies: const { &[body(&["startIndex", "itemsPerPage"])] },
            ..NOTHING
        },
        Switch::AuthErrorsInRestFormat => Reveals {
            checks: &[Check::AuthMissing, Check::AuthBadToken],
            bodies: &[BodyRule {
                roots: &["errors", "schemas", "detail", "status", "scimType"],
                ends_with: &[],
                when: FakeStatus::AuthRefusal,
            }],
            ..NOTHING
        },
        Switch::UserTypeOnlyInViewOnlyDomains => Reveals {
            bodies: const { &[body(&["userType"])] },
            ..NOTHING
        },
        Switch::ResponseFillsNameParts => Reveals {
            bodies: &[
                BodyRule {
                    roots: &["name"],
                    ends_with: &["givenName", "familyName"],
                    when: FakeStatus::Any,
                },
                BodyRule {
                    roots: &["emails"],
                    ends_with: &[".type"],
                    when: FakeStatus::Any,
                },
            ],
            ..NOTHING
        },
        Switch::NoSearchEndpoint => Reveals {
            checks: &[Check::SearchEndpoint],
            statuses: &[StatusRule {
                methods: &["POST"],
                statuses: &[(404, None)],
                on: Target::Search,
            }],
            ..NOTHING
        },
        Switch::PlainJsonContentType => Reveals {
            checks: &[Check::ContentType],
            ..NOTHING
        },
        Switch::OnlyDocumentedFilters => Reveals {
            checks: &[Check::UndocumentedFilter],
            statuses: &[StatusRule {
                methods: &["GET"],
                statuses: &[(400, Some(200))],
                on: Target::Filter,
            }],
            ..NOTHING
        },
        Switch::IgnoredAttributesDropped => Reveals {
            checks: &[Check::IgnoredAttributes],
            bodies: const { &[body(&["externalId", "displayName", "locale", "timezone"])] },
            ..NOTHING
        },
        // Nothing the probe or the scenario library exercises tells these apart.
        Switch::DeactivationDeprovisions
        | Switch::CreateOnUnmatchedReplace
        | Switch::DuplicatePostReturnsExisting
        | Switch::ListIgnoresPaging
        | Switch::RejectOffDomainUsers
        | Switch::SamlJustInTime => NOTHING,
    }
}

impl Check {
    /// The fidelity switch this check reveals (the row that names it), if any.
    pub fn switch(self) -> Option<Switch> {
        Switch::ALL
            .iter()
            .copied()
            .find(|&s| reveals(s).checks.contains(&self))
    }
}

impl BodyRule {
    fn matches(&self, path: &str, fake_status: Option<u16>) -> bool {
        let root = path.split(['.', '[']).next().unwrap_or(path);
        let auth = matches!(fake_status, Some(401 | 403 | 429));
        self.roots.contains(&root)
            && (self.ends_with.is_empty() || self.ends_with.iter().any(|e| path.ends_with(e)))
            && match self.when {
                FakeStatus::Any => true,
                FakeStatus::AuthRefusal => auth,
                FakeStatus::NotAuthRefusal => !auth,
            }
    }
}

/// One exchange's request and the two statuses, as [`explain_status`] reads them.
#[derive(Debug, Clone, Copy)]
pub struct StatusDifference<'a> {
    pub method: &'a str,
    /// The path with ids normalized (`/Users/{id}`).
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub fake: u16,
    pub external: u16,
}

impl StatusRule {
    fn matches(&self, d: &StatusDifference<'_>) -> bool {
        let on = match self.on {
            Target::Any => true,
            Target::User => d.path.contains("/Users/{id}"),
            Target::Group => d.path.contains("/Groups/{id}"),
            Target::Search => d.path.ends_with("/.search"),
            Target::Filter => d.query.is_some_and(|q| q.contains("filter")),
        };
        on && self.methods.contains(&d.method)
            && self
                .statuses
                .iter()
                .any(|&(f, e)| f == d.fake && e.is_none_or(|e| e == d.external))
    }
}

/// Which switch a body difference at `path` is, by the attribute it is about.
pub fn explain_body(path: &str, fake_status: Option<u16>) -> Option<Switch> {
    Switch::ALL.iter().copied().find(|&s| {
        reveals(s)
            .bodies
            .iter()
            .any(|r| r.matches(path, fake_status))
    })
}

/// Which switch a status difference is, by the request and the two statuses.
pub fn explain_status(d: &StatusDifference<'_>) -> Option<Switch> {
    Switch::ALL
        .iter()
        .copied()
        .find(|&s| reveals(s).statuses.iter().any(|r| r.matches(d)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_is_revealing_at_most_one_switch() {
        for &check in Check::ALL {
            let rows = Switch::ALL
                .iter()
                .filter(|&&s| reveals(s).checks.contains(&check))
                .count();
            assert!(rows <= 1, "{check:?} is in {rows} rows");
        }
    }

    #[test]
    fn each_rule_explains_its_own_example_and_no_other_rule_does() {
        for &s in Switch::ALL {
            for rule in reveals(s).bodies {
                for root in rule.roots {
                    let path = match rule.ends_with.first() {
                        Some(end) if end.starts_with('.') => format!("{root}[]{end}"),
                        Some(end) => format!("{root}.{end}"),
                        None => (*root).to_owned(),
                    };
                    let status = match rule.when {
                        FakeStatus::AuthRefusal => Some(401),
                        _ => Some(200),
                    };
                    let all: Vec<Switch> = Switch::ALL
                        .iter()
                        .copied()
                        .filter(|&o| reveals(o).bodies.iter().any(|r| r.matches(&path, status)))
                        .collect();
                    assert_eq!(all, [s], "{path}");
                }
            }
            for rule in reveals(s).statuses {
                let path = match rule.on {
                    Target::User => "/scim/Users/{id}",
                    Target::Group => "/scim/Groups/{id}",
                    Target::Search => "/scim/.search",
                    Target::Any | Target::Filter => "/scim/Users",
                };
                for &(fake, external) in rule.statuses {
                    let d = StatusDifference {
                        method: rule.methods[0],
                        path,
                        query: Some("filter=x"),
                        fake,
                        external: external.unwrap_or(599),
                    };
                    let all: Vec<Switch> = Switch::ALL
                        .iter()
                        .copied()
                        .filter(|&o| reveals(o).statuses.iter().any(|r| r.matches(&d)))
                        .collect();
                    assert_eq!(all, [s], "{d:?}");
                }
            }
        }
    }
}
