//! OneLogin's tasks as the runner speaks of them in failure messages.

use fake_onelogin::Task;

/// A OneLogin task as failure messages show it: `task 100023 create failed (why)`.
pub(crate) fn describe_task(t: &Task) -> String {
    format!(
        "task {} {} {}{}",
        t.id,
        word(t.action),
        word(t.status),
        t.error
            .as_deref()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default()
    )
}

/// A setting or state as files spell it: `create`, `pending`.
pub(crate) fn word(value: impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
