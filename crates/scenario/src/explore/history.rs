//! A history as a scenario file: the steps each operation becomes, and the expectations the model
//! gives at the end.

use super::model::{Fault, Held, Model, Op, Policy};
use crate::steps::asana::rotation_line;
use crate::steps::expect_asana::user_line;
use crate::steps::faults_time::fault_line;
use crate::steps::onelogin_app::{Verdict, connection_lines, settings_line, verdict_line};
use crate::steps::onelogin_directory::{
    deletion_line, membership_line, new_user_line, suspension_line, title_line,
};

/// The email of slot `i`.
pub fn email(i: usize) -> String {
    format!("u{i}@acme.test")
}

/// The scenario steps (YAML) one operation becomes, given the model before it.
pub fn steps_of(before: &Model, op: &Op) -> Vec<String> {
    let name = before.name(i_of(op));
    let role = "asana-users";
    match *op {
        Op::Create(i) => vec![new_user_line(
            &format!("u{i}v{}", before.generations[i] + 1),
            &email(i),
            "User",
            &i.to_string(),
        )],
        Op::Assign(_) => vec![membership_line(true, role, &name)],
        Op::Unassign(_) => vec![membership_line(false, role, &name)],
        Op::Delete(_) => vec![deletion_line(&name)],
        Op::Suspend(_) => vec![suspension_line(true, &name)],
        Op::Unsuspend(_) => vec![suspension_line(false, &name)],
        Op::Retitle(_, t) => vec![title_line(&name, &format!("Title {t}"))],
        Op::Approvals {
            create,
            update,
            delete,
        } => {
            let list: Vec<&str> = [(create, "create"), (update, "update"), (delete, "delete")]
                .into_iter()
                .filter(|(on, _)| *on)
                .map(|(_, a)| a)
                .collect();
            vec![settings_line(&format!(
                "{{ require_approval: [{}] }}",
                list.join(", ")
            ))]
        }
        Op::OnDelete(p) => vec![settings_line(&format!(
            "{{ on_delete: {} }}",
            match p {
                Policy::Delete => "delete",
                Policy::Suspend => "suspend",
                Policy::DoNothing => "do_nothing",
            }
        ))],
        Op::SuspendPolicy(s) => vec![settings_line(&format!(
            "{{ on_suspend: {} }}",
            if s { "suspend" } else { "do_nothing" }
        ))],
        Op::Connector(scim) => vec![settings_line(&format!(
            "{{ connector: {} }}",
            if scim { "scim" } else { "asana" }
        ))],
        Op::ApproveTask(_) => vec![verdict_line(Verdict::Approval, &name)],
        Op::DenyTask(_) => vec![verdict_line(Verdict::Denial, &name)],
        Op::RetryTask(_) => vec![verdict_line(Verdict::Retrial, &name)],
        Op::Fault(Fault::RateLimited) => vec![fault_line(
            "{ path: \"/api/1.0/scim/Users*\", status: 429, retry_after: 1, times: 1 }",
        )],
        Op::Fault(Fault::Unavailable) => vec![fault_line(
            "{ path: \"/api/1.0/scim/Users*\", status: 503, times: 2 }",
        )],
        Op::Fault(Fault::Dropped) => vec![fault_line(
            "{ path: \"/api/1.0/scim/Users*\", drop_connection: true, times: 1 }",
        )],
        Op::Rotate => vec![rotation_line("sa")],
        Op::Reconnect => connection_lines("${sa.token}"),
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
        | Op::ApproveTask(i)
        | Op::DenyTask(i)
        | Op::RetryTask(i) => i,
        _ => 0,
    }
}

pub(super) const GIVEN: &str = r#"given:
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
        let state = match held {
            Held::Absent => "exists: false",
            Held::Active => "active: true",
            Held::Inactive => "active: false",
        };
        steps.push(user_line(&email(i), state));
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

#[cfg(test)]
mod tests {
    use super::super::model::SLOTS;
    use super::*;

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
