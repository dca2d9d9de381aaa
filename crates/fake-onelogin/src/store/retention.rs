//! What the fake OneLogin lets go, so that a sandbox that runs for weeks does not grow with its
//! traffic: events, and tasks that are history, once they are older than the retention or
//! beyond the count cap (both the harness's choice; OneLogin documents neither for these).
//!
//! A task is history once it is finished (provisioned, skipped, denied or failed) and no longer
//! what a person looks at for its user and app: a newer task exists, or the user is gone. The
//! newest task of a user and app stays as long as the user does (the Users tab shows it, and a
//! failed one can be retried); a pending, approved or running task is never let go. A user's
//! link goes with them once nothing is left to do for them.
//!
//! Both logs are queues in the order things happened, so a sweep pops from the front: its cost
//! is the entries it lets go, never the history kept. Ids are never reused or renumbered, so a
//! cursor or a task id someone kept still means what it meant (or nothing).

use std::collections::VecDeque;

use jiff::{SignedDuration, Timestamp};

use super::Store;
use crate::model::TaskStatus;

/// How long finished tasks and events are kept, and how many at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Kept until they are older than this, counted from when they finished (or, for a task,
    /// stopped being the newest).
    pub max_age: SignedDuration,
    /// Kept at most this many finished tasks, and this many events (at least one of each: what
    /// just happened is always there to read).
    pub max_count: usize,
}

impl Retention {
    /// Seven days, as a person looking back over a working week expects (the harness's choice).
    pub const DEFAULT_MAX_AGE: SignedDuration = SignedDuration::from_hours(7 * 24);
    /// Ten thousand of each (the harness's choice).
    pub const DEFAULT_MAX_COUNT: usize = 10_000;

    /// Kept `days` days, at most `max_count` of each.
    pub fn days(days: u32, max_count: usize) -> Self {
        Retention {
            max_age: SignedDuration::from_hours(24 * i64::from(days)),
            max_count,
        }
    }
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            max_age: Self::DEFAULT_MAX_AGE,
            max_count: Self::DEFAULT_MAX_COUNT,
        }
    }
}

/// The limits a fake starts with (`serve --retention-days`, `--retention-count`).
impl crate::FakeOneLoginBuilder {
    /// Keeps finished tasks and events this long and at most this many of each (by default
    /// [`Retention::DEFAULT_MAX_AGE`] and [`Retention::DEFAULT_MAX_COUNT`]).
    pub fn retention(mut self, retention: Retention) -> Self {
        self.retention = retention;
        self
    }
}

/// Tasks that became history, in the order they did, with when.
#[derive(Debug, Default)]
pub(super) struct History {
    entries: VecDeque<(Timestamp, u64)>,
}

impl History {
    fn push(&mut self, at: Timestamp, id: u64) {
        self.entries.push_back((at, id));
    }
}

fn finished(status: TaskStatus) -> bool {
    matches!(
        status,
        TaskStatus::Provisioned | TaskStatus::Skipped | TaskStatus::Denied | TaskStatus::Failed
    )
}

impl Store {
    /// Sets the limits and lets go of what is beyond them now.
    pub fn set_retention(&mut self, retention: Retention, now: Timestamp) {
        self.retention = retention;
        self.sweep(now);
    }

    pub fn retention(&self) -> Retention {
        self.retention
    }

    /// Whether anything has outlived the retention: a look at the front of each queue, cheap
    /// enough under a read lock before a list is served.
    pub fn sweep_due(&self, now: Timestamp) -> bool {
        let max_age = self.retention.max_age;
        self.events
            .front()
            .is_some_and(|e| e.created_at + max_age <= now)
            || self
                .history
                .entries
                .front()
                .is_some_and(|(at, _)| *at + max_age <= now)
    }

    /// Lets go of everything past the retention now.
    pub fn sweep(&mut self, now: Timestamp) {
        self.sweep_events(now);
        self.sweep_tasks(now);
    }

    /// Lets go of the oldest events beyond the limits: amortised constant time per event.
    pub(super) fn sweep_events(&mut self, now: Timestamp) {
        let Retention { max_age, max_count } = self.retention;
        while let Some(front) = self.events.front() {
            if self.events.len() <= max_count.max(1) && front.created_at + max_age >= now {
                break;
            }
            self.events.pop_front();
        }
    }

    /// Called after a task's status or the pair's newest task changed: a task that became
    /// history joins the queue, and the queue is swept.
    pub(super) fn task_settled(&mut self, id: u64, now: Timestamp) {
        let Some(task) = self.tasks.get(&id) else {
            return;
        };
        if !finished(task.status) {
            return;
        }
        let pair = (task.user_id, task.app_id);
        let newest = self.last_tasks.get(&pair) == Some(&id);
        if !newest {
            self.history.push(now, id);
        } else if !self.users.contains_key(&pair.0) && task.status != TaskStatus::Failed {
            // The person is gone and nothing is left to do for them (a failed task can still
            // be retried, so it stays).
            self.last_tasks.remove(&pair);
            self.links.remove(&pair);
            self.history.push(now, id);
        }
        self.sweep_tasks(now);
    }

    /// A user was deleted: each of their pairs with nothing open lets go now.
    pub(super) fn user_gone(&mut self, user: u64, now: Timestamp) {
        let apps: Vec<u64> = self.apps.keys().copied().collect();
        for app in apps {
            let pair = (user, app);
            if self.open_tasks.contains_key(&pair) {
                continue;
            }
            match self.last_tasks.get(&pair).copied() {
                Some(id) => self.task_settled(id, now),
                None => {
                    self.links.remove(&pair);
                }
            }
        }
    }

    /// Lets go of the oldest history beyond the limits. An entry whose task was retried since
    /// (and so is not finished, or is the newest again) is passed over; the task rejoins when
    /// it finishes.
    pub(super) fn sweep_tasks(&mut self, now: Timestamp) {
        let Retention { max_age, max_count } = self.retention;
        while let Some(&(at, id)) = self.history.entries.front() {
            if self.history.entries.len() <= max_count.max(1) && at + max_age >= now {
                break;
            }
            self.history.entries.pop_front();
            let Some(task) = self.tasks.get(&id) else {
                continue;
            };
            let pair = (task.user_id, task.app_id);
            if finished(task.status) && self.last_tasks.get(&pair) != Some(&id) {
                self.tasks.remove(&id);
            }
        }
    }

    /// After a restore: the history the saved tasks make, oldest first (a state saved before
    /// retention may still hold gone users' links).
    pub(super) fn rebuild_history(&mut self) {
        let gone: Vec<(u64, u64)> = self
            .last_tasks
            .iter()
            .filter(|(pair, id)| {
                !self.users.contains_key(&pair.0)
                    && self.tasks[id].status != TaskStatus::Failed
                    && finished(self.tasks[id].status)
            })
            .map(|(pair, _)| *pair)
            .collect();
        for pair in gone {
            self.last_tasks.remove(&pair);
            self.links.remove(&pair);
        }
        let mut entries: Vec<(Timestamp, u64)> = self
            .tasks
            .values()
            .filter(|t| {
                finished(t.status) && self.last_tasks.get(&(t.user_id, t.app_id)) != Some(&t.id)
            })
            .map(|t| (t.updated_at, t.id))
            .collect();
        entries.sort_unstable();
        self.history.entries = entries.into();
    }

    /// Finished tasks kept as history (for tests of the cap).
    #[cfg(test)]
    pub(super) fn history_len(&self) -> usize {
        self.history.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::UserChanges;

    fn t0() -> Timestamp {
        harness_clock::DEFAULT_EPOCH
    }

    /// A store whose Asana app provisions without approvals and has one role granting it.
    fn store(retention: Retention) -> (Store, u64, u64) {
        let mut store = Store::new();
        let mut config = crate::default_asana_config("http://asana.test/scim");
        config.token = Some("t".into());
        config.enabled = true;
        config.require_approval = Default::default();
        let app = store.add_app("Asana", 1, config, t0());
        store.set_api_status(app, crate::model::ApiStatus::Connected, None, t0());
        let role = store.create_role("Asana users").expect("role");
        store.set_role_apps(role, &[app], t0()).expect("apps");
        store.set_retention(retention, t0());
        (store, app, role)
    }

    fn person(store: &mut Store, role: u64, i: usize, now: Timestamp) -> u64 {
        let id = store
            .create_user(
                UserChanges {
                    username: Some(format!("p{i}")),
                    email: Some(format!("p{i}@acme.test")),
                    firstname: Some("P".into()),
                    lastname: Some(format!("{i}")),
                    ..Default::default()
                },
                now,
            )
            .expect("user");
        store.add_role_users(role, &[id], now).expect("member");
        id
    }

    fn run_all(store: &mut Store, now: Timestamp) {
        while let Some((task, _)) = store.claim_next(now) {
            store.complete(task.id, Ok(Some(format!("scim-{}", task.id))), 1, now);
        }
    }

    #[test]
    fn the_cap_holds_and_each_users_newest_task_stays() {
        let (mut store, app, role) = store(Retention {
            max_age: Retention::DEFAULT_MAX_AGE,
            max_count: 5,
        });
        let mut people = Vec::new();
        for i in 0..20 {
            let id = person(&mut store, role, i, t0());
            run_all(&mut store, t0());
            store.delete_user(id, t0()).expect("deleted");
            run_all(&mut store, t0());
            people.push(id);
        }
        assert!(store.history_len() <= 5, "{}", store.history_len());
        assert!(store.tasks().count() <= 5, "{}", store.tasks().count());
        assert!(people.iter().all(|&p| store.link(p, app).is_none()));
        let kept = person(&mut store, role, 99, t0());
        run_all(&mut store, t0());
        assert!(store.last_task(kept, app).is_some());
        assert!(store.link(kept, app).is_some());
    }

    /// A saved state holds only what was kept, and a restore rebuilds the history queue from
    /// it, so the limits keep holding after a restart.
    #[test]
    fn a_restored_state_keeps_its_history_bounded() {
        let (mut store, _, role) = store(Retention::days(7, 1_000));
        for i in 0..10 {
            let id = person(&mut store, role, i, t0());
            run_all(&mut store, t0());
            store.delete_user(id, t0()).expect("deleted");
            run_all(&mut store, t0());
        }
        let saved = store.snapshot();
        assert_eq!(saved.tasks.len(), 20, "a create and a delete each");
        assert!(saved.links.is_empty(), "the people are gone");
        let mut restored = Store::restore(saved).expect("restores");
        assert_eq!(restored.history_len(), 20);
        let later = t0() + SignedDuration::from_hours(1);
        restored.set_retention(Retention::days(7, 4), later);
        assert_eq!(restored.tasks().count(), 4);
        restored.sweep(later + Retention::DEFAULT_MAX_AGE + SignedDuration::from_secs(1));
        assert_eq!(restored.tasks().count(), 0, "past the age, all of it goes");
    }

    /// A failed task can still be retried, so it stays even when its user is gone.
    #[test]
    fn a_failed_newest_task_stays_until_it_is_dealt_with() {
        let (mut store, app, role) = store(Retention::days(7, 1));
        let id = person(&mut store, role, 1, t0());
        run_all(&mut store, t0());
        store.delete_user(id, t0()).expect("deleted");
        let (task, _) = store.claim_next(t0()).expect("the delete");
        store.complete(
            task.id,
            Err(super::super::queue::RunFailure {
                detail: "target down".into(),
                unauthorized: false,
            }),
            1,
            t0(),
        );
        let later = t0() + Retention::DEFAULT_MAX_AGE * 2;
        store.sweep(later);
        assert_eq!(
            store.task(task.id).map(|t| t.status),
            Some(TaskStatus::Failed)
        );
        assert!(store.link(id, app).is_some(), "Asana still has the user");
        store.retry(task.id, later).expect("retried");
        run_all(&mut store, later);
        store.sweep(later);
        assert!(store.link(id, app).is_none(), "done: the link went with it");
    }
}
