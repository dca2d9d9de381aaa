//! Whole-system exploration: random histories of what people and the IdP do (users created,
//! changed, suspended, deleted, given and denied the app; approval and policy settings;
//! approvals, denials, retries; transient Asana faults; the service account rotated and
//! reconnected), run against the real fakes and checked after every settled step against a
//! reference model written from the documented trigger table.
//!
//! A history is a list of scenario steps, so a failing one, shrunk by proptest, is written out
//! as a scenario file that `asana-harness run` replays.
//!
//! Invariants checked after every step:
//! 1. Asana holds exactly what the model predicts for every email (absent, active, inactive).
//! 2. OneLogin's pending approvals are exactly the model's.
//! 3. Every task ends in a terminal state or waits for a person (none approved or in progress).
//! 4. No SCIM write was made for a task that is pending or denied, and every write belongs to
//!    exactly one task (the outbound journal tags each one; Asana saw the same number).
//! 5. No two active Asana users share an email.
//! 6. With the deleted-user policy Do Nothing, removing a user never deactivates anyone.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use proptest_state_machine::ReferenceStateMachine;

use crate::format::Step;
use crate::load::{Loaded, load_str};
use crate::run::{RunOptions, Session};

/// Email slots: `u0@acme.test`, `u1@…`, `u2@…`. Few, so that histories collide on them.
pub const SLOTS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    Delete,
    Suspend,
    DoNothing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    RateLimited,
    Unavailable,
    Dropped,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Create(usize),
    Assign(usize),
    Unassign(usize),
    Delete(usize),
    Suspend(usize),
    Unsuspend(usize),
    Retitle(usize, u8),
    Approvals {
        create: bool,
        update: bool,
        delete: bool,
    },
    OnDelete(Policy),
    SuspendPolicy(bool),
    /// `true`: OneLogin's generic SCIM app, which sends profile updates; `false`: the Asana
    /// connector, which does not.
    Connector(bool),
    Approve(usize),
    Deny(usize),
    Retry(usize),
    Fault(Fault),
    Rotate,
    Reconnect,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Suspend,
    Reactivate,
    Delete,
}

/// What the target holds for an email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Held {
    #[default]
    Absent,
    Active,
    Inactive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    Active,
    Suspended,
    Deleted,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    generation: u32,
    in_role: bool,
    suspended: bool,
    title: u8,
    link: Option<Link>,
    /// The title the target last received.
    sent_title: u8,
    open: Option<(Action, bool)>,
    /// Whether the open task carries the current title (a create, or any task under the SCIM
    /// app) rather than the one the target has.
    carries_title: bool,
    failed: Option<Action>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    users: [Option<User>; SLOTS],
    generations: [u32; SLOTS],
    held: [Held; SLOTS],
    approvals: (bool, bool, bool),
    on_delete: Policy,
    suspend_policy: bool,
    /// The app sends profile updates (the generic SCIM app), or not (the Asana connector).
    updates_profiles: bool,
    token_valid: bool,
    connected: bool,
    /// Failed requests injected so far. Kept under the provisioner's five attempts, so faults
    /// stay transient: stacked beyond that, a task fails, as it should.
    fault_hits: u8,
}

/// How many requests a fault fails.
fn hits(fault: Fault) -> u8 {
    match fault {
        Fault::RateLimited | Fault::Dropped => 1,
        Fault::Unavailable => 2,
    }
}

enum Want {
    Active,
    Suspended,
    SuspensionIgnored,
    Removed(Policy),
}

impl Model {
    fn initial() -> Model {
        Model {
            users: [None, None, None],
            generations: [0; SLOTS],
            held: [Held::Absent; SLOTS],
            approvals: (false, false, false),
            on_delete: Policy::Delete,
            suspend_policy: true,
            updates_profiles: false,
            token_valid: true,
            connected: true,
            fault_hits: 0,
        }
    }

    fn want(&self, u: &User) -> Want {
        if !u.in_role {
            Want::Removed(self.on_delete)
        } else if u.suspended {
            if self.suspend_policy {
                Want::Suspended
            } else {
                Want::SuspensionIgnored
            }
        } else {
            Want::Active
        }
    }

    /// The store's `decide`, from the documented table.
    fn decide(&self, u: &mut User, want: &Want) {
        u.failed = None;
        let action = match (u.link, want) {
            (None, Want::Active) => Some(Action::Create),
            (None, _) => None,
            (Some(Link::Active), Want::Active) => {
                (self.updates_profiles && u.sent_title != u.title).then_some(Action::Update)
            }
            (Some(Link::Active), Want::Suspended) => Some(Action::Suspend),
            (Some(Link::Active), Want::SuspensionIgnored) => None,
            (Some(Link::Suspended), Want::Active) => Some(Action::Reactivate),
            (Some(Link::Suspended), Want::Suspended | Want::SuspensionIgnored) => None,
            (Some(Link::Active | Link::Suspended), Want::Removed(Policy::Delete)) => {
                Some(Action::Delete)
            }
            (Some(Link::Active), Want::Removed(Policy::Suspend)) => Some(Action::Suspend),
            (Some(Link::Suspended), Want::Removed(Policy::Suspend)) => None,
            (Some(Link::Active | Link::Suspended), Want::Removed(Policy::DoNothing)) => None,
            (Some(Link::Deleted), Want::Active) => Some(Action::Create),
            (Some(Link::Deleted), _) => None,
        };
        if let Some(a) = action {
            u.carries_title = a == Action::Create || self.updates_profiles;
        }
        match action {
            Some(a) if u.open.is_some_and(|(open, _)| open == a) => {}
            Some(a) => {
                let (c, up, d) = self.approvals;
                let deprovisioning = matches!(want, Want::Removed(_));
                let pending = match a {
                    Action::Create => c,
                    Action::Delete => d,
                    Action::Suspend if deprovisioning => d,
                    Action::Update | Action::Suspend | Action::Reactivate => up,
                };
                u.open = Some((a, pending));
            }
            None => u.open = None,
        }
    }

    /// Runs approved tasks, as the queue does after every step.
    fn settle(&mut self) {
        for i in 0..SLOTS {
            let Some(mut u) = self.users[i].clone() else {
                continue;
            };
            let Some((action, false)) = u.open else {
                continue;
            };
            u.open = None;
            let ok = if !(self.token_valid && self.connected) {
                // The first request with a dead token gets 401 and marks the connection failed.
                self.connected = false;
                false
            } else {
                self.execute(i, &mut u, action)
            };
            if ok {
                let want = self.want(&u);
                self.decide(&mut u, &want);
            } else {
                u.failed = Some(action);
            }
            self.users[i] = Some(u);
        }
    }

    fn execute(&mut self, i: usize, u: &mut User, action: Action) -> bool {
        let held = self.held[i];
        let (ok, link, now) = match (action, held) {
            (Action::Create, Held::Absent | Held::Active) => {
                (true, Some(Link::Active), Held::Active)
            }
            (Action::Create | Action::Reactivate, Held::Inactive) => (false, u.link, held),
            (Action::Update, Held::Active) => (true, Some(Link::Active), Held::Active),
            // The lookup finds nobody to update.
            (Action::Update | Action::Suspend | Action::Reactivate, Held::Absent) => {
                (false, u.link, held)
            }
            // A PUT with active:true on a deprovisioned user is a refused reactivation.
            (Action::Update, Held::Inactive) => (false, u.link, held),
            (Action::Suspend, Held::Active | Held::Inactive) => {
                (true, Some(Link::Suspended), Held::Inactive)
            }
            (Action::Reactivate, Held::Active) => (true, Some(Link::Active), Held::Active),
            (Action::Delete, Held::Absent) => (true, Some(Link::Deleted), Held::Absent),
            (Action::Delete, _) => (true, Some(Link::Deleted), Held::Inactive),
        };
        if ok {
            u.link = link;
            if u.carries_title {
                u.sent_title = u.title;
            }
            self.held[i] = now;
        }
        ok
    }

    fn with_user(mut self, i: usize, change: impl FnOnce(&mut User)) -> Model {
        if let Some(mut u) = self.users[i].take() {
            change(&mut u);
            let want = self.want(&u);
            self.decide(&mut u, &want);
            self.users[i] = Some(u);
        }
        self
    }

    pub fn step(self, op: &Op) -> Model {
        let mut m = match *op {
            Op::Create(i) => {
                let mut m = self;
                m.generations[i] += 1;
                m.users[i] = Some(User {
                    generation: m.generations[i],
                    in_role: false,
                    suspended: false,
                    title: 0,
                    link: None,
                    sent_title: 0,
                    open: None,
                    carries_title: false,
                    failed: None,
                });
                m
            }
            // Adding a member to a role they are in (or removing a non-member) changes nothing,
            // so nothing is reconciled.
            Op::Assign(i) if self.users[i].as_ref().is_some_and(|u| u.in_role) => self,
            Op::Unassign(i) if self.users[i].as_ref().is_some_and(|u| !u.in_role) => self,
            Op::Assign(i) => self.with_user(i, |u| u.in_role = true),
            Op::Unassign(i) => self.with_user(i, |u| u.in_role = false),
            Op::Suspend(i) => self.with_user(i, |u| u.suspended = true),
            Op::Unsuspend(i) => self.with_user(i, |u| u.suspended = false),
            Op::Retitle(i, t) => self.with_user(i, |u| u.title = t),
            Op::Delete(i) => {
                let mut m = self;
                if let Some(mut u) = m.users[i].take() {
                    // Deleted users have no access; nothing reconciles them after this.
                    u.in_role = false;
                    let want = Want::Removed(m.on_delete);
                    m.decide(&mut u, &want);
                    // The user is gone; only an approved task can still run, and only now.
                    m.users[i] = Some(u);
                    m.settle();
                    m.users[i] = None;
                }
                return m;
            }
            Op::Approvals {
                create,
                update,
                delete,
            } => Model {
                approvals: (create, update, delete),
                ..self
            },
            Op::OnDelete(p) => Model {
                on_delete: p,
                ..self
            },
            Op::SuspendPolicy(s) => Model {
                suspend_policy: s,
                ..self
            },
            Op::Connector(scim) => Model {
                updates_profiles: scim,
                ..self
            },
            Op::Approve(i) => {
                let mut m = self;
                if let Some(u) = m.users[i].as_mut() {
                    u.open = u.open.map(|(a, _)| (a, false));
                }
                m
            }
            Op::Deny(i) => {
                let mut m = self;
                if let Some(u) = m.users[i].as_mut() {
                    u.open = None;
                }
                m
            }
            Op::Retry(i) => {
                let mut m = self;
                if let Some(u) = m.users[i].as_mut() {
                    u.open = u.failed.take().map(|a| (a, false));
                }
                m
            }
            Op::Fault(f) => Model {
                fault_hits: self.fault_hits + hits(f),
                ..self
            },
            Op::Rotate => Model {
                token_valid: false,
                ..self
            },
            Op::Reconnect => Model {
                token_valid: true,
                connected: true,
                ..self
            },
        };
        m.settle();
        m
    }

    fn allows(&self, op: &Op) -> bool {
        let user = |i: usize| self.users[i].as_ref();
        match *op {
            Op::Create(i) => user(i).is_none(),
            Op::Assign(i)
            | Op::Unassign(i)
            | Op::Delete(i)
            | Op::Suspend(i)
            | Op::Unsuspend(i)
            | Op::Retitle(i, _) => user(i).is_some(),
            Op::Approve(i) | Op::Deny(i) => {
                user(i).is_some_and(|u| u.open.is_some_and(|(_, pending)| pending))
            }
            Op::Retry(i) => user(i).is_some_and(|u| u.failed.is_some()),
            Op::Fault(f) => self.fault_hits + hits(f) <= 4,
            _ => true,
        }
    }

    /// The scenario binding name of slot `i`'s current OneLogin user.
    fn name(&self, i: usize) -> String {
        format!(
            "u{i}v{}",
            self.users[i]
                .as_ref()
                .map_or(self.generations[i], |u| u.generation)
        )
    }
}

/// The machine proptest generates and shrinks histories from.
pub struct Machine;

impl ReferenceStateMachine for Machine {
    type State = Model;
    type Transition = Op;

    fn init_state() -> BoxedStrategy<Model> {
        Just(Model::initial()).boxed()
    }

    fn transitions(_: &Model) -> BoxedStrategy<Op> {
        let slot = 0..SLOTS;
        let policy = prop_oneof![
            Just(Policy::Delete),
            Just(Policy::Suspend),
            Just(Policy::DoNothing)
        ];
        let fault = prop_oneof![
            Just(Fault::RateLimited),
            Just(Fault::Unavailable),
            Just(Fault::Dropped)
        ];
        prop_oneof![
            4 => slot.clone().prop_map(Op::Create),
            6 => slot.clone().prop_map(Op::Assign),
            3 => slot.clone().prop_map(Op::Unassign),
            2 => slot.clone().prop_map(Op::Delete),
            2 => slot.clone().prop_map(Op::Suspend),
            2 => slot.clone().prop_map(Op::Unsuspend),
            2 => (slot.clone(), 1u8..4).prop_map(|(i, t)| Op::Retitle(i, t)),
            2 => (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(create, update, delete)| Op::Approvals { create, update, delete }),
            1 => policy.prop_map(Op::OnDelete),
            1 => any::<bool>().prop_map(Op::SuspendPolicy),
            1 => any::<bool>().prop_map(Op::Connector),
            4 => slot.clone().prop_map(Op::Approve),
            1 => slot.clone().prop_map(Op::Deny),
            2 => slot.prop_map(Op::Retry),
            2 => fault.prop_map(Op::Fault),
            1 => Just(Op::Rotate),
            2 => Just(Op::Reconnect),
        ]
        .boxed()
    }

    fn apply(state: Model, op: &Op) -> Model {
        state.step(op)
    }

    fn preconditions(state: &Model, op: &Op) -> bool {
        state.allows(op)
    }
}

fn email(i: usize) -> String {
    format!("u{i}@acme.test")
}

/// The scenario steps (YAML) one operation becomes, given the model before it.
pub fn steps_of(before: &Model, op: &Op) -> Vec<String> {
    let name = before.name(i_of(op));
    match *op {
        Op::Create(i) => vec![format!(
            "- create_user: {{ as: u{i}v{}, email: {}, firstname: User, lastname: \"{i}\" }}",
            before.generations[i] + 1,
            email(i)
        )],
        Op::Assign(_) => vec![format!("- add_role_users: {{ role: asana-users, users: [{name}] }}")],
        Op::Unassign(_) => vec![format!("- remove_role_users: {{ role: asana-users, users: [{name}] }}")],
        Op::Delete(_) => vec![format!("- delete_user: {{ user: {name} }}")],
        Op::Suspend(_) => vec![format!("- suspend_user: {{ user: {name} }}")],
        Op::Unsuspend(_) => vec![format!("- unsuspend_user: {{ user: {name} }}")],
        Op::Retitle(_, t) => vec![format!("- update_user: {{ user: {name}, title: \"Title {t}\" }}")],
        Op::Approvals { create, update, delete } => {
            let list: Vec<&str> = [(create, "create"), (update, "update"), (delete, "delete")].into_iter().filter(|(on, _)| *on).map(|(_, a)| a).collect();
            vec![format!("- configure_app: {{ require_approval: [{}] }}", list.join(", "))]
        }
        Op::OnDelete(p) => vec![format!(
            "- configure_app: {{ on_delete: {} }}",
            match p {
                Policy::Delete => "delete",
                Policy::Suspend => "suspend",
                Policy::DoNothing => "do_nothing",
            }
        )],
        Op::SuspendPolicy(s) => vec![format!("- configure_app: {{ on_suspend: {} }}", if s { "suspend" } else { "do_nothing" })],
        Op::Connector(scim) => vec![format!("- configure_app: {{ connector: {} }}", if scim { "scim" } else { "asana" })],
        Op::Approve(_) => vec![format!("- approve: {{ user: {name} }}")],
        Op::Deny(_) => vec![format!("- deny: {{ user: {name} }}")],
        Op::Retry(_) => vec![format!("- retry: {{ user: {name} }}")],
        Op::Fault(Fault::RateLimited) => vec!["- inject_fault: { path: \"/api/1.0/scim/Users*\", status: 429, retry_after: 1, times: 1 }".into()],
        Op::Fault(Fault::Unavailable) => vec!["- inject_fault: { path: \"/api/1.0/scim/Users*\", status: 503, times: 2 }".into()],
        Op::Fault(Fault::Dropped) => vec!["- inject_fault: { path: \"/api/1.0/scim/Users*\", drop_connection: true, times: 1 }".into()],
        Op::Rotate => vec!["- rotate_service_account: { account: sa }".into()],
        Op::Reconnect => vec!["- configure_app: { token: \"${sa.token}\" }".into(), "- enable_api: {}".into()],
    }
}

fn i_of(op: &Op) -> usize {
    match *op {
        Op::Create(i)
        | Op::Assign(i)
        | Op::Unassign(i)
        | Op::Delete(i)
        | Op::Suspend(i)
        | Op::Unsuspend(i)
        | Op::Retitle(i, _)
        | Op::Approve(i)
        | Op::Deny(i)
        | Op::Retry(i) => i,
        _ => 0,
    }
}

const GIVEN: &str = r#"given:
  asana: { service_accounts: [{ as: sa, scope: scim }] }
  onelogin:
    roles: [{ as: asana-users, apps: [asana] }]
    asana_app: { token: "${sa.token}", enabled: true, connected: true, on_delete: delete, on_suspend: suspend }"#;

/// A history as a scenario file: the steps, then what the model says Asana holds.
pub fn scenario(ops: &[Op], seed: u64, note: &str) -> String {
    let mut model = Model::initial();
    let mut steps = Vec::new();
    for op in ops {
        steps.extend(steps_of(&model, op));
        model = model.step(op);
    }
    for (i, held) in model.held.iter().enumerate() {
        steps.push(match held {
            Held::Absent => format!(
                "- expect_asana_user: {{ user_name: {}, exists: false }}",
                email(i)
            ),
            Held::Active => format!(
                "- expect_asana_user: {{ user_name: {}, active: true }}",
                email(i)
            ),
            Held::Inactive => format!(
                "- expect_asana_user: {{ user_name: {}, active: false }}",
                email(i)
            ),
        });
    }
    let note: String = note.lines().map(|l| format!("# {l}\n")).collect();
    format!(
        "# Found by `asana-harness explore` (seed {seed}). The reference model and the system disagreed:\n{note}name: explored history {seed}\ntags: [explore]\nseed: {seed}\n{GIVEN}\nsteps:\n{}\n",
        steps
            .iter()
            .map(|s| format!("  {s}"))
            .collect::<Vec<_>>()
            .join("\n")
    )
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime")
    })
}

fn observe(session: &Session) -> [Held; SLOTS] {
    let asana = session
        .asana()
        .expect("exploration runs against the fake Asana");
    std::array::from_fn(|i| match asana.user(&email(i)) {
        None => Held::Absent,
        Some(u) if u.is_active() => Held::Active,
        Some(_) => Held::Inactive,
    })
}

/// Checks the invariants of the module documentation after one step.
fn check(
    session: &Session,
    model: &Model,
    op: &Op,
    before: [Held; SLOTS],
    prior: &Model,
) -> Result<(), String> {
    use fake_onelogin::TaskStatus;
    let held = observe(session);
    if held != model.held {
        return Err(format!(
            "after {op:?}: Asana holds {held:?}, the model predicts {:?}",
            model.held
        ));
    }
    if let (Op::Delete(_) | Op::Unassign(_), Policy::DoNothing) = (op, prior.on_delete)
        && before
            .iter()
            .zip(&held)
            .any(|(b, a)| *b == Held::Active && *a == Held::Inactive)
    {
        return Err(format!(
            "{op:?} with Do Nothing deactivated someone: {before:?} -> {held:?}"
        ));
    }
    let onelogin = session.onelogin();
    let tasks = onelogin.tasks();
    if let Some(t) = tasks
        .iter()
        .find(|t| matches!(t.status, TaskStatus::Approved | TaskStatus::InProgress))
    {
        return Err(format!(
            "after {op:?}: task {} is {:?}, neither terminal nor waiting for a person",
            t.id, t.status
        ));
    }
    for (i, slot) in model.users.iter().enumerate() {
        let Some(u) = slot else { continue };
        let expected = u.open.filter(|(_, pending)| *pending).map(|(a, _)| a);
        let id = onelogin.user_by_email(&email(i)).map(|u| u.id);
        let actual = tasks
            .iter()
            .rfind(|t| Some(t.user_id) == id && t.status == TaskStatus::Pending)
            .map(|t| t.action);
        let same = match (expected, actual) {
            (None, None) => true,
            (Some(e), Some(a)) => format!("{e:?}").eq_ignore_ascii_case(&format!("{a:?}")),
            _ => false,
        };
        if !same {
            return Err(format!(
                "after {op:?}: {}'s pending approval is {actual:?}, the model predicts {expected:?}",
                email(i)
            ));
        }
    }
    let outbound = onelogin.outbound_requests();
    let writes: Vec<_> = outbound
        .iter()
        .filter(|e| e.exchange.method != "GET")
        .collect();
    for w in &writes {
        let Some(id) = w.task_id else {
            return Err(format!(
                "a SCIM write belongs to no task: {} {}",
                w.exchange.method, w.exchange.url
            ));
        };
        let task = tasks
            .iter()
            .find(|t| t.id == id)
            .ok_or(format!("a SCIM write names unknown task {id}"))?;
        if matches!(task.status, TaskStatus::Pending | TaskStatus::Denied) {
            return Err(format!(
                "a SCIM write was made for task {id}, which is {:?}",
                task.status
            ));
        }
    }
    let asana = session.asana().expect("the fake Asana");
    let received = asana
        .requests()
        .iter()
        .filter(|e| e.method != "GET")
        .count();
    if received != writes.len() {
        return Err(format!(
            "Asana received {received} writes, OneLogin's journal has {}",
            writes.len()
        ));
    }
    let mut active: Vec<String> = asana
        .organization()
        .users
        .iter()
        .filter(|u| u.is_active())
        .map(|u| u.scim.user_name.to_lowercase())
        .collect();
    let n = active.len();
    active.sort();
    active.dedup();
    if active.len() != n {
        return Err("two active Asana users share an email".into());
    }
    Ok(())
}

/// Runs one history against fresh fakes; the error says which invariant broke, and where.
fn run_history(
    ops: &[Op],
    seed: u64,
    seen: Option<&std::sync::atomic::AtomicUsize>,
) -> Result<(), String> {
    let text = format!(
        "name: explored\nseed: {seed}\n{GIVEN}\nsteps:\n  - expect_api_status: connected\n"
    );
    let loaded = Loaded {
        path: "explore".into(),
        base_dir: PathBuf::from("."),
        scenario: load_str(&text, "explore").map_err(|e| e.to_string())?,
    };
    runtime().block_on(async {
        let mut session = Session::start(&loaded, &RunOptions::default()).await?;
        let mut model = Model::initial();
        let mut outcome = Ok(());
        'ops: for op in ops {
            // Shrinking keeps only the operations a failing run got to.
            if let Some(seen) = seen {
                seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            let before = observe(&session);
            for line in steps_of(&model, op) {
                let step: Step = serde_saphyr::from_str(line.trim_start_matches("- "))
                    .map_err(|e| format!("{line}: {e}"))?;
                if let Err(e) = session.step(&step).await {
                    outcome = Err(format!("{op:?}: the step `{line}` failed: {e}"));
                    break 'ops;
                }
            }
            let prior = model.clone();
            model = model.step(op);
            if let Err(e) = check(&session, &model, op, before, &prior) {
                outcome = Err(e);
                break;
            }
        }
        session.stop().await;
        outcome
    })
}

/// A failing history, shrunk, and the scenario file that replays it.
#[derive(Debug)]
pub struct Counterexample {
    pub ops: Vec<Op>,
    pub reason: String,
    pub scenario: String,
}

/// Generates `cases` histories of up to `length` operations from `seed`; returns the first
/// failure, shrunk to a minimal history.
pub fn explore(cases: u32, length: usize, seed: u64) -> Result<(), Counterexample> {
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 512,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(
        config,
        proptest::test_runner::TestRng::from_seed(
            proptest::test_runner::RngAlgorithm::ChaCha,
            &seed_bytes(seed),
        ),
    );
    let strategy = Machine::sequential_strategy(1..=length);
    let result = runner.run(&strategy, |(_, ops, seen)| {
        run_history(&ops, seed, seen.as_deref()).map_err(TestCaseError::fail)
    });
    match result {
        Ok(()) => Ok(()),
        Err(TestError::Fail(reason, (_, ops, _))) => {
            let reason = reason.to_string();
            let scenario = scenario(&ops, seed, &reason);
            Err(Counterexample {
                ops,
                reason,
                scenario,
            })
        }
        Err(TestError::Abort(reason)) => Err(Counterexample {
            ops: Vec::new(),
            reason: reason.to_string(),
            scenario: String::new(),
        }),
    }
}

fn seed_bytes(seed: u64) -> [u8; 32] {
    let mut bytes = [0u8; 32];
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(
            &seed
                .wrapping_add(i as u64)
                .wrapping_mul(0x9e37_79b9_7f4a_7c15)
                .to_le_bytes(),
        );
    }
    bytes
}

/// Writes a counterexample as `explore-<seed>.yaml` under `dir`; returns the path.
pub fn write(dir: &Path, seed: u64, counterexample: &Counterexample) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("explore-{seed}.yaml"));
    std::fs::write(&path, &counterexample.scenario)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_follows_the_table() {
        let m = Model::initial().step(&Op::Create(0)).step(&Op::Assign(0));
        assert_eq!(m.held[0], Held::Active);
        let m = m
            .step(&Op::OnDelete(Policy::DoNothing))
            .step(&Op::Unassign(0));
        assert_eq!(m.held[0], Held::Active, "do nothing");
        let m = m
            .step(&Op::Assign(0))
            .step(&Op::OnDelete(Policy::Delete))
            .step(&Op::Delete(0));
        assert_eq!(m.held[0], Held::Inactive);
        let m = m.step(&Op::Create(0)).step(&Op::Assign(0));
        assert_eq!(
            m.users[0].as_ref().unwrap().failed,
            Some(Action::Create),
            "Asana refuses the zombie"
        );
        let m = Model::initial()
            .step(&Op::Approvals {
                create: true,
                update: false,
                delete: false,
            })
            .step(&Op::Create(1))
            .step(&Op::Assign(1));
        assert_eq!(m.held[1], Held::Absent);
        assert!(m.allows(&Op::Approve(1)));
        let m = m.step(&Op::Rotate).step(&Op::Approve(1));
        assert!(!m.connected && m.users[1].as_ref().unwrap().failed.is_some());
        let m = m.step(&Op::Reconnect).step(&Op::Retry(1));
        assert_eq!(m.held[1], Held::Active);
    }

    #[test]
    fn a_history_becomes_a_scenario_that_loads() {
        let ops = [
            Op::Create(0),
            Op::Assign(0),
            Op::Rotate,
            Op::Reconnect,
            Op::Fault(Fault::Dropped),
            Op::Connector(true),
            Op::Retitle(0, 2),
            Op::Delete(0),
        ];
        let text = scenario(&ops, 7, "example");
        let loaded = crate::load_str(&text, "x.yaml").unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert!(loaded.steps.len() >= ops.len() + SLOTS);
    }
}
