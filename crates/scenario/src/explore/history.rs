//! A history as a scenario file: the steps each operation becomes, and the expectations the model
//! gives at the end.

use super::model::{Fault, Held, Model, Op, Policy};

/// The email of slot `i`.
pub fn email(i: usize) -> String {
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
