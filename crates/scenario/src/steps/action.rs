//! What every step answers, in its family's file: its name, what it names and binds (asked when
//! the file loads, so a name used before it is bound is an error at its line), what else it
//! checks then, and what it does when run.

use std::borrow::Cow;

use crate::runner::outcome::Halt;
use crate::runner::state::Runner;

/// What a step names that `given` or an earlier step must have bound.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct References<'a> {
    /// OneLogin users: a name bound with `as:`, or an email.
    pub users: Vec<&'a str>,
    pub roles: Vec<&'a str>,
    /// Asana service accounts.
    pub accounts: Vec<&'a str>,
    /// Texts that may hold `${name.field}` templates.
    pub templates: Vec<Cow<'a, str>>,
}

impl<'a> References<'a> {
    /// A step that names one OneLogin user.
    pub fn user(user: &'a str) -> Self {
        References {
            users: vec![user],
            ..References::default()
        }
    }
}

/// A name a step binds for later steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding<'a> {
    User(&'a str),
    Account(&'a str),
    /// A value for `${name.field}`: a response body, a token.
    Value(&'a str),
}

/// What a step's own check found wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CheckError {
    /// A key that was renamed: the old name is read only to say so.
    #[error("`{old}` is now `{new}` ({why}): rename the key")]
    Renamed {
        old: &'static str,
        new: &'static str,
        why: &'static str,
    },
    #[error("give body or raw_body, not both")]
    TwoBodies,
    #[error("{0:?} is not an HTTP method")]
    NotAMethod(String),
    /// The fake Asana's own verdict on a fault.
    #[error(transparent)]
    Fault(#[from] fake_asana::FaultError),
}

/// One step's behaviour, implemented beside its payload type.
pub(crate) trait Action {
    /// The step's name as written in files.
    const NAME: &'static str;
    /// Whether the step only checks, and changes nothing.
    const EXPECTATION: bool = false;

    /// What the step refers to.
    fn references(&self) -> References<'_> {
        References::default()
    }

    /// The name the step binds for later steps, if any.
    fn binds(&self) -> Option<Binding<'_>> {
        None
    }

    /// What serde cannot check alone; the error names no place (the loader adds it).
    fn check(&self) -> Result<(), CheckError> {
        Ok(())
    }

    /// Does the step: acts on either side, or checks what they show.
    async fn run(&self, runner: &mut Runner) -> Result<(), Halt>;
}

/// One step as a line of a scenario file, `- name: payload`, for tools that write scenarios
/// (exploration's histories).
pub(crate) fn line<A: Action>(payload: &str) -> String {
    format!("- {}: {payload}", A::NAME)
}
