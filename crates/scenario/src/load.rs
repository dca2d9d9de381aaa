//! Finding and loading scenario files, with errors that name the file, line and column.
//!
//! Loading parses (unknown keys, wrong types and bad YAML are errors with the place) and then
//! checks what parsing cannot: every name a step uses (`user: ada`, `role: …`, `${sa.token}`)
//! was bound with `as:` before it, and every fidelity switch exists.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::format::step::Binding;
use crate::format::{HttpRequest, Scenario, Step};
use crate::identity::Identities;

/// A scenario ready to run.
#[derive(Debug)]
pub struct Loaded {
    /// As given on the command line or found under a folder; names the scenario in reports.
    pub path: String,
    /// Where relative fixture paths start.
    pub base_dir: PathBuf,
    pub scenario: Scenario,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for LoadError {}

/// Every `.yaml` / `.yml` file under the given paths (files are taken as they are), sorted, so
/// that a run's order never depends on the file system.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    let mut found = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut found).map_err(|e| io_error(path, e))?;
        } else if path.exists() {
            found.push(path.clone());
        } else {
            return Err(LoadError {
                file: path.display().to_string(),
                line: 0,
                column: 0,
                message: "no such file or folder".into(),
            });
        }
    }
    found.sort();
    found.dedup();
    Ok(found)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    Ok(())
}

fn io_error(path: &Path, e: std::io::Error) -> LoadError {
    LoadError {
        file: path.display().to_string(),
        line: 0,
        column: 0,
        message: e.to_string(),
    }
}

pub fn load_file(path: &Path) -> Result<Loaded, LoadError> {
    load_file_as(path, None)
}

/// Loads a scenario with its identities rewritten (`run --domain`): the file and its OneLogin
/// fixture name the same rewritten people.
pub fn load_file_as(path: &Path, identities: Option<&Identities>) -> Result<Loaded, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|e| io_error(path, e))?;
    let display = path.display().to_string();
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let rewrite = identities.map(|i| (i.for_scenario(&display), Identities::org_domains(&text)));
    let rewrite = |t: &str| match &rewrite {
        Some((i, domains)) => i.rewrite(t, domains),
        None => t.to_owned(),
    };
    let text = rewrite(&text);
    let mut scenario = load_in(&text, &display, &base_dir, &rewrite)?;
    if let Some(identities) = identities.map(|i| i.for_scenario(&display)) {
        keep_usernames(&mut scenario, &identities);
    }
    Ok(Loaded {
        path: display,
        base_dir,
        scenario,
    })
}

/// Parses and checks a scenario; `file` names it in errors. Fixture paths are relative to the
/// working directory.
pub fn load_str(text: &str, file: &str) -> Result<Scenario, LoadError> {
    load_in(text, file, Path::new("."), &|t: &str| t.to_owned())
}

fn load_in(
    text: &str,
    file: &str,
    base_dir: &Path,
    rewrite: &dyn Fn(&str) -> String,
) -> Result<Scenario, LoadError> {
    let mut scenario: Scenario = parse(text, file)?;
    if let Some(fixture) = scenario.given.onelogin.fixture.take() {
        let path = resolve(base_dir, &fixture).ok_or_else(|| LoadError {
            file: file.to_owned(),
            line: line_of(text, &fixture, 0).unwrap_or(1),
            column: 1,
            message: format!("cannot find the OneLogin fixture {fixture}"),
        })?;
        let fixture_text =
            rewrite(&std::fs::read_to_string(&path).map_err(|e| io_error(&path, e))?);
        let from_file: fake_onelogin::seed::Directory =
            parse(&fixture_text, &path.display().to_string())?;
        let (users, roles) = crate::format::given_of(from_file).map_err(|message| LoadError {
            file: path.display().to_string(),
            line: 1,
            column: 1,
            message,
        })?;
        let onelogin = &mut scenario.given.onelogin;
        onelogin.users = users.into_iter().chain(onelogin.users.drain(..)).collect();
        onelogin.roles = roles.into_iter().chain(onelogin.roles.drain(..)).collect();
    }
    check(&scenario, text, file)?;
    Ok(scenario)
}

/// OneLogin derives a username from the email's local part; a rewritten email must not change
/// it, so each user without one gets the one the scenario meant.
fn keep_usernames(scenario: &mut Scenario, identities: &Identities) {
    let users =
        scenario
            .given
            .onelogin
            .users
            .iter_mut()
            .chain(
                scenario
                    .steps
                    .iter_mut()
                    .filter_map(|s| match &mut s.value {
                        Step::CreateUser(u) => Some(u),
                        _ => None,
                    }),
            );
    for user in users {
        if user.username.is_none() {
            user.username = identities.original_local(&user.email).map(str::to_owned);
        }
    }
}

/// A fixture path: beside the scenario first, then from the working directory.
pub fn resolve(base_dir: &Path, path: &str) -> Option<PathBuf> {
    [base_dir.join(path), PathBuf::from(path)]
        .into_iter()
        .find(|p| p.exists())
}

fn parse<T: serde::de::DeserializeOwned>(text: &str, file: &str) -> Result<T, LoadError> {
    serde_saphyr::from_str(text).map_err(|e| {
        let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
        LoadError {
            file: file.to_owned(),
            line,
            column,
            message: first_line(&e.to_string()),
        }
    })
}

/// serde-saphyr renders a snippet under the message; a one-line report keeps the message.
fn first_line(rendered: &str) -> String {
    let line = rendered
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(rendered)
        .trim();
    let line = line.strip_prefix("error: ").unwrap_or(line);
    // The place is already in `file:line:column`; drop the parser's own copy of it.
    match line
        .strip_prefix("line ")
        .and_then(|rest| rest.split_once(": "))
    {
        Some((place, message)) if place.contains("column") => message.to_owned(),
        _ => line.to_owned(),
    }
}

#[derive(Default)]
struct Names {
    users: BTreeSet<String>,
    roles: BTreeSet<String>,
    accounts: BTreeSet<String>,
    values: BTreeSet<String>,
}

impl Names {
    fn any(&self, name: &str) -> bool {
        self.users.contains(name)
            || self.roles.contains(name)
            || self.accounts.contains(name)
            || self.values.contains(name)
    }
}

fn check(s: &Scenario, text: &str, file: &str) -> Result<(), LoadError> {
    let given_line = line_of(text, "given:", 0).unwrap_or(1);
    let at = |needle: &str, from: u64, message: String| {
        let line = line_of(text, needle, from).unwrap_or(from.max(1));
        LoadError {
            file: file.to_owned(),
            line,
            column: 1,
            message,
        }
    };
    let mut names = Names::default();
    for sa in &s.given.asana.service_accounts {
        names.accounts.insert(sa.name.clone());
    }
    if let Some(app) = &s.given.onelogin.asana_app
        && let Some(token) = &app.token
    {
        check_refs(token, &names).map_err(|m| at(token, given_line, m))?;
    }
    for user in &s.given.onelogin.users {
        if let Some(n) = &user.name {
            names.users.insert(n.clone());
        }
    }
    for role in &s.given.onelogin.roles {
        for u in &role.users {
            if !is_user(u, &names) {
                return Err(at(
                    u,
                    given_line,
                    format!("role {} lists {u:?}, which no `as:` names", role.name),
                ));
            }
        }
        names.roles.insert(role.name.clone());
    }
    if s.steps.is_empty() {
        return Err(LoadError {
            file: file.to_owned(),
            line: line_of(text, "steps:", 0).unwrap_or(1),
            column: 1,
            message: "a scenario needs at least one step".into(),
        });
    }
    for spanned in &s.steps {
        let (line, column) = (spanned.referenced.line(), spanned.referenced.column());
        let fail = |message: String| LoadError {
            file: file.to_owned(),
            line,
            column,
            message,
        };
        let step = &spanned.value;
        let kind = step.kind();
        // What every step names must be bound before it: the step says what it names.
        let refs = step.references();
        if let Some(u) = refs.users.iter().find(|u| !is_user(u, &names)) {
            return Err(fail(format!(
                "{kind}: no user is named {u:?} (bind one with `as:`)"
            )));
        }
        if let Some(r) = refs.roles.iter().find(|r| !names.roles.contains(**r)) {
            return Err(fail(format!("{kind}: no role is named {r:?}")));
        }
        if let Some(a) = refs.accounts.iter().find(|a| !names.accounts.contains(**a)) {
            return Err(fail(format!("{kind}: no service account is named {a:?}")));
        }
        for text in &refs.templates {
            check_refs(text, &names).map_err(|m| fail(format!("{kind}: {m}")))?;
        }
        // What serde cannot check alone.
        match step {
            Step::ExpectTask(t) if t.attempts.is_some() => {
                return Err(fail(
                    "expect_task: `attempts` is now `requests` (it counts HTTP requests, \
                     retries included): rename the key"
                        .into(),
                ));
            }
            Step::ScimRequest(r) | Step::RestRequest(r) => {
                check_request(r).map_err(|m| fail(format!("{kind}: {m}")))?
            }
            Step::InjectFault(f) => f
                .validate()
                .map_err(|m| fail(format!("inject_fault: {m}")))?,
            _ => {}
        }
        match step.binds() {
            Some(Binding::User(n)) => {
                names.users.insert(n.to_owned());
            }
            Some(Binding::Account(n)) => {
                names.accounts.insert(n.to_owned());
            }
            Some(Binding::Value(n)) => {
                names.values.insert(n.to_owned());
            }
            None => {}
        }
    }
    Ok(())
}

/// A user reference is a bound name, or an email.
fn is_user(reference: &str, names: &Names) -> bool {
    names.users.contains(reference) || reference.contains('@')
}

fn check_request(r: &HttpRequest) -> Result<(), String> {
    if r.body.is_some() && r.raw_body.is_some() {
        return Err("give body or raw_body, not both".into());
    }
    reqwest::Method::from_bytes(r.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| format!("{:?} is not an HTTP method", r.method))?;
    Ok(())
}

/// Every `${name.field}` refers to a name bound before.
fn check_refs(text: &str, names: &Names) -> Result<(), String> {
    for reference in crate::format::references(text) {
        let name = reference.split('.').next().unwrap_or_default();
        if !names.any(name) && !["asana", "onelogin"].contains(&name) {
            return Err(format!(
                "${{{reference}}} names {name:?}, which nothing before it binds with `as:`"
            ));
        }
    }
    Ok(())
}

/// The 1-based line of the first `needle` at or after line `from`.
fn line_of(text: &str, needle: &str, from: u64) -> Option<u64> {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1) as usize)
        .find(|(_, l)| l.contains(needle))
        .map(|(i, _)| i as u64 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
name: create waits for approval
given:
  asana: { service_accounts: [{ as: sa, scope: scim }] }
  onelogin:
    users: [{ as: ada, email: ada@acme.test, firstname: Ada, lastname: Lovelace }]
    roles: [{ as: asana-users, apps: [asana] }]
    asana_app: { token: "${sa.token}", enabled: true, require_approval: [create], on_delete: delete }
steps:
  - enable_api: {}
  - expect_api_status: connected
  - add_role_users: { role: asana-users, users: [ada] }
  - expect_task: { user: ada, action: create, status: pending }
  - expect_asana_user: { user_name: ada@acme.test, exists: false }
  - approve: { user: ada, action: create }
  - expect_asana_user: { user_name: ada@acme.test, active: true }
"#;

    #[test]
    fn the_design_sketch_loads() {
        let s = load_str(GOOD, "sketch.yaml").unwrap();
        assert_eq!(s.steps.len(), 7);
        assert_eq!(s.steps[2].referenced.line(), 12);
    }

    fn error(text: &str) -> LoadError {
        load_str(text, "bad.yaml").expect_err("should not load")
    }

    #[test]
    fn unknown_keys_and_steps_name_the_place() {
        let e = error(&GOOD.replace("- enable_api: {}", "- enable_apii: {}"));
        assert_eq!((e.file.as_str(), e.line), ("bad.yaml", 10), "{e}");
        assert!(e.message.contains("enable_apii"), "{e}");
        let e = error(&GOOD.replace(
            "action: create, status: pending",
            "action: create, state: pending",
        ));
        assert_eq!(e.line, 13, "{e}");
        assert!(e.message.contains("state"), "{e}");
        let e = error("name: x\nsteps: [");
        assert!(e.line >= 1, "{e}");
    }

    #[test]
    fn the_old_attempts_key_names_its_new_name() {
        let e = error(&GOOD.replace(
            "action: create, status: pending }",
            "action: create, status: pending, attempts: 1 }",
        ));
        assert_eq!(e.line, 13, "{e}");
        assert!(e.message.contains("`requests`"), "{e}");
        let renamed = GOOD.replace(
            "action: create, status: pending }",
            "action: create, status: pending, requests: 0 }",
        );
        load_str(&renamed, "good.yaml").unwrap();
    }

    #[test]
    fn unbound_names_are_errors_at_the_step() {
        let e = error(&GOOD.replace("users: [ada] }", "users: [bob] }"));
        assert_eq!(e.line, 12, "{e}");
        assert!(e.message.contains("\"bob\""), "{e}");
        let e = error(&GOOD.replace("${sa.token}", "${sb.token}"));
        assert!(e.message.contains("sb"), "{e}");
        let e = error(&GOOD.replace(
            "  - expect_api_status: connected",
            "  - set_switches: { delete_deprovision: false }",
        ));
        assert_eq!(e.line, 11);
        assert!(
            e.message.contains("delete_deprovision") && e.message.contains("delete_deprovisions"),
            "the typo and the switches there are: {e}"
        );
        let e = error(&GOOD.replace(
            "  - expect_api_status: connected",
            "  - expect_exchanges: { sequence: [\"FETCH /x\"] }",
        ));
        assert!(e.message.contains("FETCH"), "{e}");
    }
}
