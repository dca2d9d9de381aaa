//! The trigger table: what an app's target should hold for a user, and the task that closes the
//! gap.
//!
//! Triggers (fidelity/onelogin §1.2, §2, §7): every change that can alter what Asana should hold
//! for a user (role membership, a role's apps, the user's attributes or status, deletion) calls
//! [`Store::reconcile`] for that user and app. Reconciling compares what the target has (the
//! [`Link`], changed only by tasks that succeeded) with what it should have, and makes at most
//! one task:
//!
//! | target has | should have | task |
//! |---|---|---|
//! | nothing | active | create |
//! | active | active, attributes changed | update (generic SCIM app); a skipped update record (Asana connector) |
//! | active | suspended (status 2, policy Suspend) | suspend |
//! | suspended | active (unsuspended) | reactivate |
//! | active or suspended | removed (deleted or access lost) | per the deleted-user policy: delete, suspend, or a skipped record for Do Nothing |
//! | deleted | active again | create (Asana refuses to reactivate, as in life) |
//!
//! **Superseding.** A pair (user, app) has at most one open task (pending or approved). When a
//! later event needs the same action, the open task keeps its place and status and takes the new
//! attributes. When it needs a different action, or none, the open task is skipped with
//! "superseded" and the new task (if any) starts over, approval included. So a user deleted while
//! their create awaits approval ends with the create skipped and nothing sent: nothing was ever
//! provisioned. No path turns a pending task into an approved one except an approval.
//!
//! **Approvals.** Create, Update and Delete each have a checkbox. Deprovisioning (the deleted-user
//! policy's Delete or Suspend) is gated by Delete; suspension and reactivation after a status
//! change are gated by Update. OneLogin has no Suspend checkbox, and which one gates a suspend is
//! undocumented ([U] fidelity/onelogin §1.2): this is the harness's choice.

use jiff::Timestamp;

use super::Store;
use super::queue::Start;
use crate::model::*;

/// Why a profile change sends nothing under OneLogin's Asana connector (fidelity/asana §1.7, [C]
/// HC-SCIM).
pub const CONNECTOR_SENDS_NO_UPDATES: &str = "the Asana connector does not update profiles: with \
     OneLogin, Asana supports create, import and deactivate only; Asana keeps the old attributes";

/// What the target should hold for a user, after the app's policies.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Want {
    Active(Payload),
    /// Suspended after a status change (policy Suspend).
    Suspended,
    /// The user is suspended but the policy says to do nothing.
    SuspensionIgnored,
    /// Deleted, or the app's access removed.
    Removed(OnDelete),
}

enum Decision {
    Nothing,
    Task(TaskAction),
    /// A record of what the policy chose not to do.
    Skip(TaskAction, String),
}

impl Store {
    // -- provisioning: decisions ---------------------------------------------------------------

    pub(super) fn reconcile_user(&mut self, user: u64, reason: &str, now: Timestamp) {
        let apps: Vec<u64> = self.apps.keys().copied().collect();
        for app in apps {
            self.reconcile(user, app, reason, now);
        }
    }

    pub(super) fn reconcile_user_deleted(
        &mut self,
        user: u64,
        gone: &OneLoginUser,
        now: Timestamp,
    ) {
        let apps: Vec<u64> = self.apps.keys().copied().collect();
        for app in apps {
            let on_delete = self.apps[&app].provisioning.on_delete;
            let payload = payload_of(gone, &self.apps[&app].provisioning.parameters);
            self.decide(
                user,
                app,
                Want::Removed(on_delete),
                payload,
                "user deleted",
                now,
            );
        }
    }

    /// Compares what the app's target has for the user with what it should have, and queues the
    /// task that closes the gap. See the module documentation.
    pub fn reconcile(&mut self, user: u64, app: u64, reason: &str, now: Timestamp) {
        let Some(a) = self.apps.get(&app) else { return };
        let config = &a.provisioning;
        let Some(u) = self.users.get(&user) else {
            return;
        };
        let payload = payload_of(u, &config.parameters);
        let want = if !self.has_access(user, app) {
            Want::Removed(config.on_delete)
        } else if u.status == UserStatus::Suspended {
            match config.on_suspend {
                OnSuspend::Suspend => Want::Suspended,
                OnSuspend::DoNothing => Want::SuspensionIgnored,
            }
        } else {
            Want::Active(payload.clone())
        };
        self.decide(user, app, want, payload, reason, now);
    }

    /// The app's Users tab, Apply to All > Reset (fidelity/onelogin §2, [C] S16): every user who
    /// has the app and should be active in the target is pushed again with a create, through
    /// the same approval rules and the same lookup-then-write as any create: a user the target
    /// lost is created again, one it deprovisioned fails with the target's reason, and nobody is
    /// skipped silently. A pair with an open task keeps it (that task will push anyway).
    /// Returns the new tasks.
    pub fn reset_app_users(
        &mut self,
        app: u64,
        now: Timestamp,
    ) -> Result<Vec<u64>, super::StoreError> {
        if !self.apps.contains_key(&app) {
            return Err(super::StoreError::NotFound(format!("app {app}")));
        }
        let mut made = Vec::new();
        for user in self.app_users(app) {
            let Some(u) = self.users.get(&user) else {
                continue;
            };
            if u.status == UserStatus::Suspended || self.open_tasks.contains_key(&(user, app)) {
                continue;
            }
            let payload = payload_of(u, &self.apps[&app].provisioning.parameters);
            // A failed task is superseded by the reset, as by any later change.
            self.supersede_failed(user, app, "Apply to All > Reset", now);
            let id = self.new_task(
                (user, app),
                TaskAction::Create,
                "Apply to All > Reset",
                payload,
                Start::Gated {
                    deprovisioning: false,
                },
                now,
            );
            made.push(id);
        }
        Ok(made)
    }

    /// A failed task is judged against the target as it was; any later change supersedes it,
    /// and what is needed now is decided afresh. So a retry can never replay a stale action (a
    /// create for someone who has since lost access).
    fn supersede_failed(&mut self, user: u64, app: u64, reason: &str, now: Timestamp) {
        if let Some(failed) = self
            .last_task(user, app)
            .filter(|t| t.status == TaskStatus::Failed)
            .map(|t| t.id)
        {
            self.close(
                failed,
                TaskStatus::Skipped,
                Some(format!("superseded: {reason} after it failed")),
                now,
            );
        }
    }

    fn decide(
        &mut self,
        user: u64,
        app: u64,
        want: Want,
        payload: Payload,
        reason: &str,
        now: Timestamp,
    ) {
        self.supersede_failed(user, app, reason, now);
        let link = self.links.get(&(user, app));
        let decision = self.decision(user, app, link, &want);
        // What a task carries: the current attributes for a create, and for anything under an app
        // that sends profile changes; otherwise what the target already has, so deactivating a
        // user under the Asana connector does not slip a profile change through its PUT.
        let payload = match (&decision, link) {
            (Decision::Task(action), Some(link))
                if *action != TaskAction::Create
                    && !self.apps[&app].provisioning.connector.updates_profiles() =>
            {
                link.payload.clone()
            }
            _ => payload,
        };
        self.apply((user, app), decision, &want, payload, reason, now);
    }

    /// Carries a decision out against the open task: it keeps its place for the same action,
    /// is superseded by a new task or a skip, or closes when nothing is needed any more.
    fn apply(
        &mut self,
        (user, app): (u64, u64),
        decision: Decision,
        want: &Want,
        payload: Payload,
        reason: &str,
        now: Timestamp,
    ) {
        let has = self.links.get(&(user, app)).map(|l| l.state);
        let open = self.open_tasks.get(&(user, app)).copied();
        match (decision, open) {
            (Decision::Task(action), Some(open)) if self.tasks[&open].action == action => {
                // Same action still wanted: the open task keeps its place and takes the new data.
                let task = self.tasks.get_mut(&open).expect("indexed");
                task.payload = payload;
                task.updated_at = now;
            }
            (Decision::Task(action), open) => {
                let start = Start::Gated {
                    deprovisioning: matches!(want, Want::Removed(_)),
                };
                let id = self.new_task((user, app), action, reason, payload, start, now);
                if let Some(open) = open {
                    self.close(
                        open,
                        TaskStatus::Skipped,
                        Some(format!("superseded by task {id} ({reason})")),
                        now,
                    );
                }
            }
            (Decision::Skip(action, why), open) => {
                if let Some(open) = open {
                    self.close(
                        open,
                        TaskStatus::Skipped,
                        Some(format!("superseded: {reason}")),
                        now,
                    );
                }
                self.new_task(
                    (user, app),
                    action,
                    reason,
                    payload,
                    Start::Skipped(why),
                    now,
                );
            }
            (Decision::Nothing, Some(open)) => {
                let why = match has {
                    None => format!("superseded: {reason} before it ran; nothing was provisioned"),
                    Some(_) => format!("superseded: {reason}; the target already matches"),
                };
                self.close(open, TaskStatus::Skipped, Some(why), now);
            }
            (Decision::Nothing, None) => {}
        }
    }

    /// The trigger table: what the link holds against what the policies want.
    fn decision(&self, user: u64, app: u64, link: Option<&Link>, want: &Want) -> Decision {
        let has = link.map(|l| l.state);
        match (has, want) {
            (None, Want::Active(_)) => Decision::Task(TaskAction::Create),
            (None, _) => Decision::Nothing,
            (Some(Provisioned::Active), Want::Active(p)) => self.profile_change(user, app, link, p),
            (Some(Provisioned::Active), Want::Suspended) => Decision::Task(TaskAction::Suspend),
            (Some(Provisioned::Active), Want::SuspensionIgnored) => Decision::Skip(
                TaskAction::Suspend,
                "the app's suspended-user policy is Do Nothing".into(),
            ),
            (Some(Provisioned::Suspended), Want::Active(_)) => {
                Decision::Task(TaskAction::Reactivate)
            }
            (Some(Provisioned::Suspended), Want::Suspended | Want::SuspensionIgnored) => {
                Decision::Nothing
            }
            (
                Some(Provisioned::Active | Provisioned::Suspended),
                Want::Removed(OnDelete::Delete),
            ) => Decision::Task(TaskAction::Delete),
            (Some(Provisioned::Active), Want::Removed(OnDelete::Suspend)) => {
                Decision::Task(TaskAction::Suspend)
            }
            (Some(Provisioned::Suspended), Want::Removed(OnDelete::Suspend)) => Decision::Nothing,
            (
                Some(Provisioned::Active | Provisioned::Suspended),
                Want::Removed(OnDelete::DoNothing),
            ) => Decision::Skip(
                TaskAction::Delete,
                "the app's deleted-user policy is Do Nothing: the user stays in the target".into(),
            ),
            (Some(Provisioned::Deleted), Want::Active(_)) => Decision::Task(TaskAction::Create),
            (Some(Provisioned::Deleted), _) => Decision::Nothing,
        }
    }

    /// A provisioned user's attributes changed: an update if the app sends them, otherwise one
    /// skipped update per change (not per event).
    fn profile_change(&self, user: u64, app: u64, link: Option<&Link>, p: &Payload) -> Decision {
        if link.is_none_or(|l| &l.payload == p) {
            Decision::Nothing
        } else if self.apps[&app].provisioning.connector.updates_profiles() {
            Decision::Task(TaskAction::Update)
        } else if self.last_task(user, app).is_some_and(|t| {
            t.action == TaskAction::Update && t.status == TaskStatus::Skipped && &t.payload == p
        }) {
            // Already recorded for these attributes: one record per change, not per event.
            Decision::Nothing
        } else {
            Decision::Skip(TaskAction::Update, CONNECTOR_SENDS_NO_UPDATES.into())
        }
    }
}

/// The attributes a task sends, after the app's Parameters (SCIM Username from email or
/// username).
pub fn payload_of(user: &OneLoginUser, parameters: &Parameters) -> Payload {
    Payload {
        user_name: parameters
            .scim_username
            .value_of(user)
            .unwrap_or_default()
            .to_owned(),
        email: user.email.clone(),
        given_name: user.firstname.clone(),
        family_name: user.lastname.clone(),
        title: user.title.clone(),
        department: user.department.clone(),
    }
}
