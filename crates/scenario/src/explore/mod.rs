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

mod history;
mod model;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use fake_onelogin::{TaskAction, TaskStatus};
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use proptest_state_machine::ReferenceStateMachine;

use history::GIVEN;
pub use history::{email, scenario, steps_of};
pub use model::{Action, Fault, Held, Machine, Model, Op, Policy, SLOTS, SlotUser};

use crate::format::Step;
use crate::load::{Loaded, load_str};
use crate::runner::{RunOptions, Session};
use crate::steps::expect_onelogin::connected_line;

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

/// What a history broke: an invariant of the module documentation, or a step itself.
#[derive(Debug, thiserror::Error)]
enum Broken {
    #[error("after {op:?}: Asana holds {held:?}, the model predicts {predicted:?}")]
    Held {
        op: Op,
        held: [Held; SLOTS],
        predicted: [Held; SLOTS],
    },
    #[error("{op:?} with Do Nothing deactivated someone: {before:?} -> {after:?}")]
    DoNothingDeactivated {
        op: Op,
        before: [Held; SLOTS],
        after: [Held; SLOTS],
    },
    #[error("after {op:?}: task {id} is {status:?}, neither terminal nor waiting for a person")]
    Unsettled { op: Op, id: u64, status: TaskStatus },
    #[error(
        "after {op:?}: {email}'s pending approval is {actual:?}, the model predicts {expected:?}"
    )]
    Pending {
        op: Op,
        email: String,
        actual: Option<TaskAction>,
        expected: Option<Action>,
    },
    #[error("a SCIM write belongs to no task: {method} {url}")]
    Untagged { method: String, url: String },
    #[error("a SCIM write names unknown task {0}")]
    UnknownTask(u64),
    #[error("a SCIM write was made for task {id}, which is {status:?}")]
    WriteWhileWaiting { id: u64, status: TaskStatus },
    #[error("Asana received {received} writes, OneLogin's journal has {journal}")]
    WriteCount { received: usize, journal: usize },
    #[error("two active Asana users share an email")]
    SharedEmail,
    #[error(transparent)]
    Load(#[from] crate::LoadError),
    #[error(transparent)]
    Session(#[from] crate::SessionError),
    #[error("{line}: {message}")]
    Unreadable { line: String, message: String },
    #[error("{op:?}: the step `{line}` failed: {error}")]
    Step {
        op: Op,
        line: String,
        error: crate::SessionError,
    },
}

/// Checks the invariants of the module documentation after one step.
fn check(
    session: &Session,
    model: &Model,
    op: &Op,
    before: [Held; SLOTS],
    prior: &Model,
) -> Result<(), Broken> {
    let held = observe(session);
    if held != model.held {
        return Err(Broken::Held {
            op: op.clone(),
            held,
            predicted: model.held,
        });
    }
    if let (Op::Delete(_) | Op::Unassign(_), Policy::DoNothing) = (op, prior.on_delete)
        && before
            .iter()
            .zip(&held)
            .any(|(b, a)| *b == Held::Active && *a == Held::Inactive)
    {
        return Err(Broken::DoNothingDeactivated {
            op: op.clone(),
            before,
            after: held,
        });
    }
    check_tasks(session, model, op)?;
    check_writes(session)?;
    check_unique_emails(session)
}

/// Invariants 2 and 3: no task approved or in progress, and the pending approvals the model's.
fn check_tasks(session: &Session, model: &Model, op: &Op) -> Result<(), Broken> {
    let onelogin = session.onelogin();
    let tasks = onelogin.tasks();
    if let Some(t) = tasks
        .iter()
        .find(|t| matches!(t.status, TaskStatus::Approved | TaskStatus::InProgress))
    {
        return Err(Broken::Unsettled {
            op: op.clone(),
            id: t.id,
            status: t.status,
        });
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
            return Err(Broken::Pending {
                op: op.clone(),
                email: email(i),
                actual,
                expected,
            });
        }
    }
    Ok(())
}

/// Invariant 4: every SCIM write belongs to exactly one task that may write, and Asana saw as
/// many as OneLogin's journal has.
fn check_writes(session: &Session) -> Result<(), Broken> {
    let onelogin = session.onelogin();
    let tasks = onelogin.tasks();
    let outbound = onelogin.outbound_requests();
    let writes: Vec<_> = outbound
        .iter()
        .filter(|e| e.exchange.method != "GET")
        .collect();
    for w in &writes {
        let Some(id) = w.task_id else {
            return Err(Broken::Untagged {
                method: w.exchange.method.clone(),
                url: w.exchange.url.clone(),
            });
        };
        let task = tasks
            .iter()
            .find(|t| t.id == id)
            .ok_or(Broken::UnknownTask(id))?;
        if matches!(task.status, TaskStatus::Pending | TaskStatus::Denied) {
            return Err(Broken::WriteWhileWaiting {
                id,
                status: task.status,
            });
        }
    }
    let asana = session.asana().expect("the fake Asana");
    let received = asana
        .requests()
        .iter()
        .filter(|e| e.method != "GET")
        .count();
    if received != writes.len() {
        return Err(Broken::WriteCount {
            received,
            journal: writes.len(),
        });
    }
    Ok(())
}

/// Invariant 5: no two active Asana users share an email.
fn check_unique_emails(session: &Session) -> Result<(), Broken> {
    let asana = session.asana().expect("the fake Asana");
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
        return Err(Broken::SharedEmail);
    }
    Ok(())
}

/// Runs one history against fresh fakes; the error says which invariant broke, and where.
fn run_history(
    ops: &[Op],
    seed: u64,
    seen: Option<&std::sync::atomic::AtomicUsize>,
) -> Result<(), Broken> {
    let text = format!(
        "name: explored\nseed: {seed}\n{GIVEN}\nsteps:\n  {}\n",
        connected_line()
    );
    let loaded = Loaded {
        path: "explore".into(),
        base_dir: PathBuf::from("."),
        scenario: load_str(&text, "explore")?,
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
                let step: Step =
                    serde_saphyr::from_str(line.trim_start_matches("- ")).map_err(|e| {
                        Broken::Unreadable {
                            line: line.clone(),
                            message: e.to_string(),
                        }
                    })?;
                if let Err(e) = session.step(&step).await {
                    outcome = Err(Broken::Step {
                        op: op.clone(),
                        line,
                        error: e,
                    });
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
        run_history(&ops, seed, seen.as_deref()).map_err(|e| TestCaseError::fail(e.to_string()))
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
