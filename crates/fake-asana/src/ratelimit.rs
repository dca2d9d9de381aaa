//! Asana's per-token rate limits (fidelity/asana §4, [C] DEVDOCS-RL), on the harness clock.
//!
//! - Requests per minute, over a sliding minute kept as 60 one-second buckets: the window is
//!   "evaluated more often than once a minute", so `Retry-After` can be under 60 seconds, and
//!   rejected requests still count against the quota.
//! - Concurrent reads (GET) and writes (POST, PUT, PATCH, DELETE), counted independently; a
//!   request holds its slot until its [`Permit`] drops.
//!
//! Memory per token is constant, whatever the load.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jiff::Timestamp;

use crate::config::RateLimits;
use crate::token::TokenDigest;

const WINDOW: usize = 60;

#[derive(Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<TokenDigest, Bucket>>,
}

struct Bucket {
    /// Requests per second, indexed by `second % 60`.
    counts: [u32; WINDOW],
    /// The second the newest slot belongs to.
    latest: i64,
    reads: u32,
    writes: u32,
}

/// Why a request was refused, and when to come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub retry_after_secs: u64,
}

/// A held concurrency slot; released on drop.
pub struct Permit {
    limiter: Arc<RateLimiter>,
    key: TokenDigest,
    write: bool,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut buckets = lock(&self.limiter.buckets);
        if let Some(b) = buckets.get_mut(&self.key) {
            if self.write {
                b.writes = b.writes.saturating_sub(1);
            } else {
                b.reads = b.reads.saturating_sub(1);
            }
        }
    }
}

impl RateLimiter {
    /// Admits one request for `key`, or says how long to wait.
    pub fn admit(
        self: &Arc<Self>,
        key: TokenDigest,
        write: bool,
        limits: RateLimits,
        now: Timestamp,
    ) -> Result<Option<Permit>, Limited> {
        if limits == RateLimits::OFF {
            // Nothing to count: skip the lock every request would otherwise queue on.
            return Ok(None);
        }
        let second = now.as_second();
        let mut buckets = lock(&self.buckets);
        let b = buckets.entry(key).or_default();
        b.roll(second);
        if let Some(rpm) = limits.requests_per_minute {
            b.counts[slot(second)] = b.counts[slot(second)].saturating_add(1);
            let total: u64 = b.counts.iter().map(|&c| u64::from(c)).sum();
            if total > u64::from(rpm) {
                return Err(Limited {
                    retry_after_secs: b.seconds_until_below(rpm, second),
                });
            }
        }
        let (in_flight, limit) = if write {
            (&mut b.writes, limits.concurrent_writes)
        } else {
            (&mut b.reads, limits.concurrent_reads)
        };
        match limit {
            None => Ok(None),
            // Long enough for the requests in flight to finish.
            Some(limit) if *in_flight >= limit => Err(Limited {
                retry_after_secs: 1,
            }),
            Some(_) => {
                *in_flight += 1;
                Ok(Some(Permit {
                    limiter: Arc::clone(self),
                    key,
                    write,
                }))
            }
        }
    }

    /// Forgets every token's history (admin reset).
    pub fn clear(&self) {
        lock(&self.buckets).clear();
    }
}

impl Default for Bucket {
    fn default() -> Self {
        Bucket {
            counts: [0; WINDOW],
            latest: i64::MIN / 2,
            reads: 0,
            writes: 0,
        }
    }
}

impl Bucket {
    fn roll(&mut self, second: i64) {
        if second <= self.latest {
            return;
        }
        let gap = (second - self.latest).min(WINDOW as i64);
        for s in 1..=gap {
            self.counts[slot(self.latest + s)] = 0;
        }
        self.latest = second;
    }

    /// Seconds until the oldest requests have left the window and fewer than `rpm` remain.
    fn seconds_until_below(&self, rpm: u32, now: i64) -> u64 {
        let total: u64 = self.counts.iter().map(|&c| u64::from(c)).sum();
        let must_expire = total - u64::from(rpm) + 1;
        let mut expired = 0u64;
        for age in (0..WINDOW as i64).rev() {
            let second = now - age;
            expired += u64::from(self.counts[slot(second)]);
            if expired >= must_expire {
                // Requests made in `second` leave the window at `second + 60`.
                return (second + WINDOW as i64 - now).max(1) as u64;
            }
        }
        WINDOW as u64
    }
}

fn slot(second: i64) -> usize {
    second.rem_euclid(WINDOW as i64) as usize
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::SignedDuration;

    fn limits(rpm: u32, reads: u32, writes: u32) -> RateLimits {
        RateLimits {
            requests_per_minute: Some(rpm),
            concurrent_reads: Some(reads),
            concurrent_writes: Some(writes),
        }
    }

    #[test]
    fn requests_per_minute_slide_and_rejections_count() {
        let limiter = Arc::new(RateLimiter::default());
        let key = TokenDigest::of("t");
        let t0 = harness_clock::DEFAULT_EPOCH;
        let l = limits(3, 100, 100);
        for i in 0..3 {
            limiter
                .admit(key, false, l, t0 + SignedDuration::from_secs(i * 10))
                .unwrap();
        }
        let at = t0 + SignedDuration::from_secs(30);
        let err = limiter.admit(key, false, l, at).err().unwrap();
        // The refused request counts too, so two must leave: t0's at t0+60 and t0+10's at t0+70.
        assert_eq!(err.retry_after_secs, 40);
        // The rejected request counted, so at t0+60 the window still holds 3 (t0+10, +20, +30).
        let err = limiter
            .admit(key, false, l, t0 + SignedDuration::from_secs(60))
            .err()
            .unwrap();
        assert!(err.retry_after_secs >= 1);
        assert!(
            limiter
                .admit(key, false, l, t0 + SignedDuration::from_secs(200))
                .is_ok()
        );
    }

    #[test]
    fn separate_tokens_have_separate_budgets() {
        let limiter = Arc::new(RateLimiter::default());
        let t0 = harness_clock::DEFAULT_EPOCH;
        let l = limits(1, 10, 10);
        assert!(limiter.admit(TokenDigest::of("a"), false, l, t0).is_ok());
        assert!(limiter.admit(TokenDigest::of("a"), false, l, t0).is_err());
        assert!(limiter.admit(TokenDigest::of("b"), false, l, t0).is_ok());
    }

    #[test]
    fn concurrency_is_per_kind_and_released_on_drop() {
        let limiter = Arc::new(RateLimiter::default());
        let key = TokenDigest::of("t");
        let t0 = harness_clock::DEFAULT_EPOCH;
        let l = limits(1000, 2, 1);
        let r1 = limiter.admit(key, false, l, t0).unwrap();
        let _r2 = limiter.admit(key, false, l, t0).unwrap();
        assert_eq!(
            limiter.admit(key, false, l, t0).err(),
            Some(Limited {
                retry_after_secs: 1
            })
        );
        let _w = limiter.admit(key, true, l, t0).unwrap();
        assert!(limiter.admit(key, true, l, t0).is_err());
        drop(r1);
        assert!(limiter.admit(key, false, l, t0).is_ok());
    }

    #[test]
    fn limits_off_admits_everything() {
        let limiter = Arc::new(RateLimiter::default());
        let t0 = harness_clock::DEFAULT_EPOCH;
        for _ in 0..10_000 {
            assert!(
                limiter
                    .admit(TokenDigest::of("t"), true, RateLimits::OFF, t0)
                    .unwrap()
                    .is_none()
            );
        }
    }
}
