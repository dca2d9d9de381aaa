//! How a step ends when it does not pass: failed with what differed, or skipped with why.

use crate::report::StepFailure;

/// A step that could not run here: reported as skipped with the reason, never as passed.
pub(crate) struct Skip(pub(crate) String);

pub(crate) enum Halt {
    Failed(StepFailure),
    Skipped(Skip),
}

impl From<StepFailure> for Halt {
    fn from(f: StepFailure) -> Self {
        Halt::Failed(f)
    }
}

pub(crate) fn fail(message: impl Into<String>) -> StepFailure {
    StepFailure {
        message: message.into(),
        expected: None,
        actual: None,
    }
}

pub(crate) fn mismatch(
    message: impl Into<String>,
    expected: impl Into<String>,
    actual: impl Into<String>,
) -> StepFailure {
    StepFailure {
        message: message.into(),
        expected: Some(expected.into()),
        actual: Some(actual.into()),
    }
}
