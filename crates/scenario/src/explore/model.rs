//! The reference model: what the documented trigger table says OneLogin queues and Asana holds,
//! for a few email slots, and the proptest state machine that generates histories from it.

use proptest::prelude::*;
use proptest_state_machine::ReferenceStateMachine;

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
    ApproveTask(usize),
    DenyTask(usize),
    RetryTask(usize),
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
pub(super) enum Link {
    Active,
    Suspended,
    Deleted,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotUser {
    pub(super) generation: u32,
    pub(super) in_role: bool,
    pub(super) suspended: bool,
    pub(super) title: u8,
    pub(super) link: Option<Link>,
    /// The title the target last received.
    pub(super) sent_title: u8,
    pub(super) open: Option<(Action, bool)>,
    /// Whether the open task carries the current title (a create, or any task under the SCIM
    /// app) rather than the one the target has.
    pub(super) carries_title: bool,
    pub(super) failed: Option<Action>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    pub(super) users: [Option<SlotUser>; SLOTS],
    pub(super) generations: [u32; SLOTS],
    pub(super) held: [Held; SLOTS],
    pub(super) approvals: (bool, bool, bool),
    pub(super) on_delete: Policy,
    pub(super) suspend_policy: bool,
    /// The app sends profile updates (the generic SCIM app), or not (the Asana connector).
    pub(super) updates_profiles: bool,
    pub(super) token_valid: bool,
    pub(super) connected: bool,
    /// Failed requests injected so far. Kept under the provisioner's five attempts, so faults
    /// stay transient: stacked beyond that, a task fails, as it should.
    pub(super) fault_hits: u8,
}

/// How many requests a fault fails.
pub(super) fn hits(fault: Fault) -> u8 {
    match fault {
        Fault::RateLimited | Fault::Dropped => 1,
        Fault::Unavailable => 2,
    }
}

pub(super) enum Want {
    Active,
    Suspended,
    SuspensionIgnored,
    Removed(Policy),
}

impl Model {
    pub(super) fn initial() -> Model {
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

    pub(super) fn want(&self, u: &SlotUser) -> Want {
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
    pub(super) fn decide(&self, u: &mut SlotUser, want: &Want) {
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
    pub(super) fn settle(&mut self) {
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

    pub(super) fn execute(&mut self, i: usize, u: &mut SlotUser, action: Action) -> bool {
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

    pub(super) fn with_user(mut self, i: usize, change: impl FnOnce(&mut SlotUser)) -> Model {
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
            Op::Create(i) => self.created(i),
            // Adding a member to a role they are in (or removing a non-member) changes nothing,
            // so nothing is reconciled.
            Op::Assign(i) if self.users[i].as_ref().is_some_and(|u| u.in_role) => self,
            Op::Unassign(i) if self.users[i].as_ref().is_some_and(|u| !u.in_role) => self,
            Op::Assign(i) => self.with_user(i, |u| u.in_role = true),
            Op::Unassign(i) => self.with_user(i, |u| u.in_role = false),
            Op::Suspend(i) => self.with_user(i, |u| u.suspended = true),
            Op::Unsuspend(i) => self.with_user(i, |u| u.suspended = false),
            Op::Retitle(i, t) => self.with_user(i, |u| u.title = t),
            Op::Delete(i) => return self.deleted(i),
            Op::Approvals { .. } | Op::OnDelete(_) | Op::SuspendPolicy(_) | Op::Connector(_) => {
                self.configured(op)
            }
            Op::ApproveTask(i) | Op::DenyTask(i) | Op::RetryTask(i) => self.decided(op, i),
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

    /// A new user in slot `i`, a generation after the last.
    fn created(mut self, i: usize) -> Model {
        self.generations[i] += 1;
        self.users[i] = Some(SlotUser {
            generation: self.generations[i],
            in_role: false,
            suspended: false,
            title: 0,
            link: None,
            sent_title: 0,
            open: None,
            carries_title: false,
            failed: None,
        });
        self
    }

    /// The user in slot `i` deleted: the deleted-user policy, and only an approved task can
    /// still run, and only now.
    fn deleted(mut self, i: usize) -> Model {
        if let Some(mut u) = self.users[i].take() {
            // Deleted users have no access; nothing reconciles them after this.
            u.in_role = false;
            let want = Want::Removed(self.on_delete);
            self.decide(&mut u, &want);
            self.users[i] = Some(u);
            self.settle();
            self.users[i] = None;
        }
        self
    }

    /// An app setting changed.
    fn configured(self, op: &Op) -> Model {
        match *op {
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
            _ => self,
        }
    }

    /// A person's decision on the task of the user in slot `i`.
    fn decided(mut self, op: &Op, i: usize) -> Model {
        if let Some(u) = self.users[i].as_mut() {
            u.open = match op {
                Op::ApproveTask(_) => u.open.map(|(a, _)| (a, false)),
                Op::RetryTask(_) => u.failed.take().map(|a| (a, false)),
                _ => None,
            };
        }
        self
    }

    pub(super) fn allows(&self, op: &Op) -> bool {
        let user = |i: usize| self.users[i].as_ref();
        match *op {
            Op::Create(i) => user(i).is_none(),
            Op::Assign(i)
            | Op::Unassign(i)
            | Op::Delete(i)
            | Op::Suspend(i)
            | Op::Unsuspend(i)
            | Op::Retitle(i, _) => user(i).is_some(),
            Op::ApproveTask(i) | Op::DenyTask(i) => {
                user(i).is_some_and(|u| u.open.is_some_and(|(_, pending)| pending))
            }
            Op::RetryTask(i) => user(i).is_some_and(|u| u.failed.is_some()),
            Op::Fault(f) => self.fault_hits + hits(f) <= 4,
            _ => true,
        }
    }

    /// The scenario binding name of slot `i`'s current OneLogin user.
    pub(super) fn name(&self, i: usize) -> String {
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
            4 => slot.clone().prop_map(Op::ApproveTask),
            1 => slot.clone().prop_map(Op::DenyTask),
            2 => slot.prop_map(Op::RetryTask),
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
        assert!(m.allows(&Op::ApproveTask(1)));
        let m = m.step(&Op::Rotate).step(&Op::ApproveTask(1));
        assert!(!m.connected && m.users[1].as_ref().unwrap().failed.is_some());
        let m = m.step(&Op::Reconnect).step(&Op::RetryTask(1));
        assert_eq!(m.held[1], Held::Active);
    }
}
