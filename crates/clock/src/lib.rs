//! The harness's notion of time.
//!
//! Rate-limit windows, `Retry-After` waits, retry backoff, OAuth token expiry and every timestamp
//! the fakes write read one [`Clock`]. `serve` uses [`Clock::system`]; tests and scenarios use
//! [`Clock::manual`], whose time moves only when told to, so that no test ever sleeps on the wall
//! clock and every run gives the same answer.
//!
//! A manual clock's [`Clock::sleep`] does not wait: it moves the clock forward by the requested
//! duration and returns. A simulation is then a sequence of instantaneous steps in virtual time,
//! which is exactly what a deterministic replay needs. (tokio's paused time is not used because
//! reqwest's own timeouts would fire at once under it.)

use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

/// A cheap, cloneable handle to a source of time. Clones share the same time.
#[derive(Clone, Debug)]
pub struct Clock {
    inner: Arc<Inner>,
}

#[derive(Debug)]
enum Inner {
    System,
    Manual(Mutex<Timestamp>),
}

/// 2026-01-01T09:00:00Z: the default start of a manual clock, so timestamps in snapshots are stable.
pub const DEFAULT_EPOCH: Timestamp = Timestamp::constant(1_767_258_000, 0);

impl Clock {
    /// The wall clock.
    pub fn system() -> Self {
        Self {
            inner: Arc::new(Inner::System),
        }
    }

    /// A virtual clock starting at [`DEFAULT_EPOCH`].
    pub fn manual() -> Self {
        Self::manual_at(DEFAULT_EPOCH)
    }

    /// A virtual clock starting at `start`.
    pub fn manual_at(start: Timestamp) -> Self {
        Self {
            inner: Arc::new(Inner::Manual(Mutex::new(start))),
        }
    }

    /// Whether this clock is virtual.
    pub fn is_manual(&self) -> bool {
        matches!(*self.inner, Inner::Manual(_))
    }

    /// The current time.
    pub fn now(&self) -> Timestamp {
        match &*self.inner {
            Inner::System => Timestamp::now(),
            Inner::Manual(now) => *lock(now),
        }
    }

    /// Moves a manual clock forward. On the system clock this does nothing: real time cannot be
    /// pushed, and callers that need it to pass should [`sleep`](Self::sleep).
    pub fn advance(&self, by: Duration) {
        if let Inner::Manual(now) = &*self.inner {
            let mut now = lock(now);
            *now = now
                .saturating_add(to_signed(by))
                .expect("saturating add cannot fail");
        }
    }

    /// Waits for `duration`: really on the system clock, by advancing a manual one.
    pub async fn sleep(&self, duration: Duration) {
        match &*self.inner {
            Inner::System => tokio::time::sleep(duration).await,
            Inner::Manual(_) => self.advance(duration),
        }
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

fn to_signed(d: Duration) -> SignedDuration {
    SignedDuration::try_from(d).unwrap_or(SignedDuration::MAX)
}

fn lock(m: &Mutex<Timestamp>) -> std::sync::MutexGuard<'_, Timestamp> {
    // A timestamp cannot be left half-written, so a poisoned lock still holds a valid value.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = Clock::manual();
        assert_eq!(clock.now(), DEFAULT_EPOCH);
        clock.advance(Duration::from_secs(90));
        assert_eq!(clock.now(), DEFAULT_EPOCH + SignedDuration::from_secs(90));
    }

    #[tokio::test]
    async fn manual_sleep_advances_instead_of_waiting() {
        let clock = Clock::manual();
        let shared = clock.clone();
        clock.sleep(Duration::from_secs(3600)).await;
        assert_eq!(shared.now(), DEFAULT_EPOCH + SignedDuration::from_hours(1));
    }

    #[test]
    fn system_clock_is_not_manual_and_ignores_advance() {
        let clock = Clock::system();
        assert!(!clock.is_manual());
        let before = clock.now();
        clock.advance(Duration::from_secs(86_400));
        assert!(clock.now() - before < SignedDuration::from_hours(1));
    }
}
