//! Finding and loading scenario files, with errors that name the file, line and column.
//!
//! Loading parses (unknown keys, wrong types and bad YAML are errors with the place) and then
//! checks what parsing cannot: every name a step uses (`user: ada`, `role: …`, `${sa.token}`)
//! was bound with `as:` before it, and every fidelity switch exists.

mod hint;

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::format::Scenario;
use crate::identity::Identities;
use crate::steps::{Binding, CheckError, Step};

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
    /// Line 0 is a whole file or path (one that cannot be read), which has no place inside it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            return write!(f, "{}: {}", self.file, self.message);
        }
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
                message: format!("no such file or folder (looked in {})", from_where(path)),
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

/// A path as the working directory makes it, for messages that say where a file was looked for.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The folder a relative path was resolved from: the working directory.
fn from_where(path: &Path) -> String {
    let folder = match path.parent() {
        Some(parent) if path.is_absolute() => parent.to_path_buf(),
        _ => std::env::current_dir().unwrap_or_default(),
    };
    folder.display().to_string()
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
    let missing = |what: &str, fixture: &str| LoadError {
        file: file.to_owned(),
        line: line_of(text, fixture, 0).unwrap_or(1),
        column: 1,
        message: format!(
            "cannot find the {what} fixture {fixture}: looked for {} (beside the scenario) and {} \
             (from the working directory)",
            absolute(&base_dir.join(fixture)).display(),
            absolute(Path::new(fixture)).display()
        ),
    };
    if let Some(fixture) = &scenario.given.asana.fixture
        && resolve(base_dir, fixture).is_none()
    {
        return Err(missing("Asana", fixture));
    }
    if let Some(fixture) = scenario.given.onelogin.fixture.take() {
        let path = resolve(base_dir, &fixture).ok_or_else(|| missing("OneLogin", &fixture))?;
        let fixture_text =
            rewrite(&std::fs::read_to_string(&path).map_err(|e| io_error(&path, e))?);
        let from_file: crate::format::directory::Directory =
            parse(&fixture_text, &path.display().to_string())?;
        let (users, roles) = crate::format::given_of(from_file).map_err(|e| LoadError {
            file: path.display().to_string(),
            line: 1,
            column: 1,
            message: e.to_string(),
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
    let users = scenario.given.onelogin.users.iter_mut().chain(
        scenario
            .steps
            .iter_mut()
            .filter_map(|s| s.value.new_user_mut()),
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
            message: hint::explain(text, line, &first_line(&e.to_string())),
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
    fn bind(&mut self, binding: Option<Binding<'_>>) {
        let (set, name) = match binding {
            Some(Binding::User(n)) => (&mut self.users, n),
            Some(Binding::Account(n)) => (&mut self.accounts, n),
            Some(Binding::Value(n)) => (&mut self.values, n),
            None => return,
        };
        set.insert(name.to_owned());
    }

    fn any(&self, name: &str) -> bool {
        self.users.contains(name)
            || self.roles.contains(name)
            || self.accounts.contains(name)
            || self.values.contains(name)
    }
}

fn check(s: &Scenario, text: &str, file: &str) -> Result<(), LoadError> {
    let mut names = check_given(s, text, file)?;
    if s.steps.is_empty() {
        return Err(LoadError {
            file: file.to_owned(),
            line: line_of(text, "steps:", 0).unwrap_or(1),
            column: 1,
            message: "a scenario needs at least one step".into(),
        });
    }
    for spanned in &s.steps {
        check_step(&spanned.value, &names).map_err(|e| LoadError {
            file: file.to_owned(),
            line: spanned.referenced.line(),
            column: spanned.referenced.column(),
            message: format!("{}: {e}", spanned.value.kind()),
        })?;
        names.bind(spanned.value.binds());
    }
    Ok(())
}

/// `given`'s names, each used only after it is bound; the names it binds.
fn check_given(s: &Scenario, text: &str, file: &str) -> Result<Names, LoadError> {
    let given_line = line_of(text, "given:", 0).unwrap_or(1);
    let at = |needle: &str, message: String| LoadError {
        file: file.to_owned(),
        line: line_of(text, needle, given_line).unwrap_or(given_line.max(1)),
        column: 1,
        message,
    };
    let mut names = Names::default();
    for sa in &s.given.asana.service_accounts {
        names.accounts.insert(sa.name.clone());
    }
    if let Some(app) = &s.given.onelogin.asana_app
        && let Some(token) = &app.token
    {
        check_refs(token, &names).map_err(|e| at(token, e.to_string()))?;
    }
    for user in &s.given.onelogin.users {
        if let Some(n) = &user.name {
            names.users.insert(n.clone());
        }
    }
    for role in &s.given.onelogin.roles {
        if let Some(u) = role.users.iter().find(|u| !is_user(u, &names)) {
            let message = format!("role {} lists {u:?}, which no `as:` names", role.name);
            return Err(at(u, message));
        }
        names.roles.insert(role.name.clone());
    }
    Ok(names)
}

/// What is wrong with a step, short of its place and name.
#[derive(Debug, thiserror::Error)]
enum StepError {
    #[error("no user is named {0:?} (bind one with `as:`)")]
    NoUser(String),
    #[error("no role is named {0:?}")]
    NoRole(String),
    #[error("no service account is named {0:?}")]
    NoAccount(String),
    #[error(transparent)]
    Unbound(#[from] Unbound),
    #[error(transparent)]
    Check(#[from] CheckError),
}

/// A `${name.field}` whose name nothing before it binds.
#[derive(Debug, thiserror::Error)]
#[error("${{{reference}}} names {name:?}, which nothing before it binds with `as:`")]
struct Unbound {
    reference: String,
    name: String,
}

/// What a step names must be bound before it (the step says what it names), and what serde
/// cannot check alone.
fn check_step(step: &Step, names: &Names) -> Result<(), StepError> {
    let refs = step.references();
    if let Some(u) = refs.users.iter().find(|u| !is_user(u, names)) {
        return Err(StepError::NoUser(u.to_string()));
    }
    if let Some(r) = refs.roles.iter().find(|r| !names.roles.contains(**r)) {
        return Err(StepError::NoRole(r.to_string()));
    }
    if let Some(a) = refs.accounts.iter().find(|a| !names.accounts.contains(**a)) {
        return Err(StepError::NoAccount(a.to_string()));
    }
    for text in &refs.templates {
        check_refs(text, names)?;
    }
    Ok(step.check()?)
}

/// A user reference is a bound name, or an email.
fn is_user(reference: &str, names: &Names) -> bool {
    names.users.contains(reference) || reference.contains('@')
}

/// Every `${name.field}` refers to a name bound before.
fn check_refs(text: &str, names: &Names) -> Result<(), Unbound> {
    for reference in crate::format::references(text) {
        let name = reference.split('.').next().unwrap_or_default();
        if !names.any(name) && !["asana", "onelogin"].contains(&name) {
            let name = name.to_owned();
            return Err(Unbound { reference, name });
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
