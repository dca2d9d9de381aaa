//! Times as people read them on the consoles and sign-in pages: a minute-precise UTC stamp
//! ("2026-12-02 14:05 UTC") and a distance from now ("in 8 hours", "3 minutes ago"), both
//! wrapped in `<time datetime>` so the exact instant stays in the markup for scripts. Both
//! consoles and the sign-in pages use these, so no page shows nanoseconds or its own format.

use jiff::{Timestamp, Unit};

/// `2026-12-02 14:05 UTC`, as a `<time>` element carrying the instant to the second.
pub fn stamp(at: Timestamp) -> String {
    element(at, &text(at, "%Y-%m-%d %H:%M UTC"))
}

/// `2026-12-02 14:05 UTC (3 minutes ago)`: the stamp with its distance from `now`.
pub fn stamp_ago(at: Timestamp, now: Timestamp) -> String {
    element(
        at,
        &format!("{} ({})", text(at, "%Y-%m-%d %H:%M UTC"), distance(at, now)),
    )
}

/// How long a session or a certificate lasts: `until 14:05 UTC, in 8 hours` when `at` falls
/// on `now`'s UTC day, `until 2026-12-03 14:05 UTC, in 20 hours` otherwise.
pub fn until(at: Timestamp, now: Timestamp) -> String {
    let same_day = text(at, "%Y-%m-%d") == text(now, "%Y-%m-%d");
    let format = if same_day {
        "%H:%M UTC"
    } else {
        "%Y-%m-%d %H:%M UTC"
    };
    format!(
        "until {}, {}",
        element(at, &text(at, format)),
        distance(at, now)
    )
}

/// `in 8 hours`, `3 minutes ago`, `just now` (under a minute either way): the largest whole
/// unit, from minutes to days.
pub fn distance(at: Timestamp, now: Timestamp) -> String {
    let seconds = at.as_second() - now.as_second();
    let magnitude = seconds.unsigned_abs();
    if magnitude < 60 {
        return "just now".to_owned();
    }
    let (count, unit) = [(86_400, "day"), (3_600, "hour"), (60, "minute")]
        .into_iter()
        .find(|(size, _)| magnitude >= *size)
        .map(|(size, unit)| (magnitude / size, unit))
        .unwrap_or((magnitude / 60, "minute"));
    let plural = if count == 1 { "" } else { "s" };
    if seconds > 0 {
        format!("in {count} {unit}{plural}")
    } else {
        format!("{count} {unit}{plural} ago")
    }
}

fn text(at: Timestamp, format: &str) -> String {
    at.strftime(format).to_string()
}

fn element(at: Timestamp, shown: &str) -> String {
    let exact = at.round(Unit::Second).unwrap_or(at);
    format!("<time datetime=\"{exact}\">{}</time>", crate::escape(shown))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_stamp_is_minute_precise_and_keeps_the_instant_in_markup() {
        assert_eq!(
            stamp(t("2026-12-02T14:05:07.123456789Z")),
            "<time datetime=\"2026-12-02T14:05:07Z\">2026-12-02 14:05 UTC</time>"
        );
    }

    #[test]
    fn distances_use_the_largest_whole_unit_both_ways() {
        let now = t("2026-12-02T06:05:00Z");
        assert_eq!(distance(t("2026-12-02T14:05:00Z"), now), "in 8 hours");
        assert_eq!(distance(t("2026-12-02T06:02:00Z"), now), "3 minutes ago");
        assert_eq!(distance(t("2026-12-02T06:06:30Z"), now), "in 1 minute");
        assert_eq!(distance(t("2026-12-04T06:05:00Z"), now), "in 2 days");
        assert_eq!(distance(t("2026-12-02T06:04:31Z"), now), "just now");
    }

    #[test]
    fn until_names_the_day_only_when_it_is_not_today() {
        let now = t("2026-12-02T06:05:00Z");
        assert_eq!(
            until(t("2026-12-02T14:05:00Z"), now),
            "until <time datetime=\"2026-12-02T14:05:00Z\">14:05 UTC</time>, in 8 hours"
        );
        assert!(
            until(t("2026-12-03T02:05:00Z"), now)
                .contains(">2026-12-03 02:05 UTC</time>, in 20 hours")
        );
    }

    #[test]
    fn stamp_ago_says_how_long_ago() {
        assert_eq!(
            stamp_ago(t("2026-12-02T06:02:00Z"), t("2026-12-02T06:05:00Z")),
            "<time datetime=\"2026-12-02T06:02:00Z\">2026-12-02 06:02 UTC (3 minutes ago)</time>"
        );
    }
}
