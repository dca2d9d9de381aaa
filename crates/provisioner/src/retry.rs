//! The retry policy: how many tries, how long between them.

use std::time::Duration;

use rand::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries per request, the first included.
    pub max_attempts: u32,
    /// The first backoff; each later one doubles, up to `max_delay`.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// How long one request may take before it counts as a connection failure.
    pub request_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            request_timeout: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Exponential backoff with "equal jitter": half the delay fixed, half random, so waits
    /// spread out but never collapse to zero.
    pub fn backoff(&self, tries: u32, rng: &mut impl Rng) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << tries.saturating_sub(1).min(20));
        let capped = exp.min(self.max_delay);
        let half = capped / 2;
        let jitter = rng.random_range(0..=half.as_millis() as u64);
        half + Duration::from_millis(jitter)
    }
}

/// `Retry-After` in seconds (the only form Asana sends); an HTTP date is not expected from a
/// SCIM target and is ignored, which falls back to backoff.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let policy = RetryPolicy {
            max_delay: Duration::from_secs(10),
            ..RetryPolicy::default()
        };
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        for (tries, full) in [(1, 1), (2, 2), (3, 4), (4, 8), (5, 10), (30, 10)] {
            let d = policy.backoff(tries, &mut rng);
            let full = Duration::from_secs(full);
            assert!(
                d >= full / 2 && d <= full,
                "try {tries}: {d:?} not in [{:?}, {full:?}]",
                full / 2
            );
        }
        let a: Vec<_> = (1..6)
            .map(|t| policy.backoff(t, &mut rand::rngs::StdRng::seed_from_u64(9)))
            .collect();
        let b: Vec<_> = (1..6)
            .map(|t| policy.backoff(t, &mut rand::rngs::StdRng::seed_from_u64(9)))
            .collect();
        assert_eq!(a, b, "the same seed waits the same way");
    }
}
