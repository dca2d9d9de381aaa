//! Parser messages reworded in the file's terms: the shape a line was expected to have, set
//! beside the line it should line up with, and the name a misspelt one was probably meant to be.
//!
//! The YAML parser speaks of block mappings and indicators; a newcomer thinks in steps and
//! fields. What the parser said stays at the end of the message, so nothing is lost.

/// `message` (the parser's, at 1-based `line` of `text`) with what to do about it.
pub(crate) fn explain(text: &str, line: u64, message: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let at = usize::try_from(line).unwrap_or(0);
    if let Some(unknown) = unknown_name(&lines, at, message) {
        return unknown;
    }
    match shape(&lines, at, message) {
        Some(shape) => format!("{shape} (YAML: {message})"),
        None => message.to_owned(),
    }
}

/// `unknown variant|field `x`, expected one of a, b`: the name meant, when one is close.
fn unknown_name(lines: &[&str], at: usize, message: &str) -> Option<String> {
    let (what, rest) = if let Some(rest) = message.strip_prefix("unknown variant `") {
        ("value", rest)
    } else {
        ("field", message.strip_prefix("unknown field `")?)
    };
    let (name, rest) = rest.split_once('`')?;
    let expected = rest.split_once("expected ")?.1;
    let valid: Vec<&str> = expected
        .trim_start_matches("one of ")
        .split(", ")
        .flat_map(|part| part.split(" or "))
        .map(|n| n.trim().trim_matches('`'))
        .filter(|n| !n.is_empty())
        .collect();
    let is_step = what == "value"
        && lines
            .get(at.wrapping_sub(1))
            .is_some_and(|l| names_step(l, name));
    let what = if is_step { "step" } else { what };
    let list = valid.join(", ");
    Some(match closest(name, &valid) {
        Some(meant) if is_step => format!("unknown step `{name}`; did you mean `{meant}`?"),
        Some(meant) => format!("unknown {what} `{name}`; did you mean `{meant}`? (one of {list})"),
        None => format!("unknown {what} `{name}`; expected one of {list}"),
    })
}

/// `- name:` (a list item whose key is `name`): a step in `steps:`, the only list of
/// externally tagged values a scenario has.
fn names_step(line: &str, name: &str) -> bool {
    line.trim_start()
        .strip_prefix('-')
        .map(str::trim_start)
        .and_then(|rest| rest.strip_prefix(name))
        .is_some_and(|rest| rest.trim_start().starts_with(':'))
}

/// The valid name nearest `typed`: the same once case, `-` and `_` are set aside, at most two
/// edits away (and fewer edits than `typed` has letters, so `ab` does not become `xy`), or the
/// only valid name `typed` starts with.
pub(crate) fn closest<'a>(typed: &str, valid: &[&'a str]) -> Option<&'a str> {
    let plain = |s: &str| s.to_lowercase().replace(['-', '_'], "");
    if let Some(same) = valid.iter().find(|v| plain(v) == plain(typed)) {
        return Some(same);
    }
    let near = valid
        .iter()
        .map(|v| (edits(typed, v), *v))
        .filter(|(d, _)| *d <= 2 && *d < typed.chars().count())
        .min_by_key(|(d, _)| *d)
        .map(|(_, v)| v);
    // `approve_task` for `approve`: the one valid name the typed one starts with.
    near.or_else(|| {
        match valid
            .iter()
            .filter(|v| v.len() >= 4 && typed.starts_with(**v))
            .collect::<Vec<_>>()[..]
        {
            [only] => Some(*only),
            _ => None,
        }
    })
}

/// Damerau-Levenshtein distance (optimal string alignment): a swap of two neighbours is one edit.
fn edits(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// What shape the line was expected to have, for the parser's indentation messages.
fn shape(lines: &[&str], at: usize, message: &str) -> Option<String> {
    let here = *lines.get(at.checked_sub(1)?)?;
    if message.contains("expected mapping start") {
        return fields_not_under(lines, at, here);
    }
    let misplaced = [
        "did not find expected key",
        "did not find expected '-'",
        "mapping values are not allowed",
    ];
    if !misplaced.iter().any(|m| message.contains(m)) {
        return None;
    }
    if here.trim_start().starts_with('-') {
        let (n, above) = above(lines, at, |l| l.trim_start().starts_with('-'))?;
        let relation = relation(here, above)?;
        return Some(format!(
            "a step is `- name: {{ ... }}`, lined up with the step before it; this line is \
             indented {relation} than the step before it (line {n}: `{}`)",
            brief(above)
        ));
    }
    let (n, above) = above(lines, at, |_| true)?;
    let relation = relation(here, above)?;
    Some(format!(
        "the keys of one mapping line up, and a step's fields go under it, all at one indent; \
         this line is indented {relation} than the line before it (line {n}: `{}`)",
        above.trim()
    ))
}

/// `- name:` with nothing after the colon: its fields must be indented more than `name`.
fn fields_not_under(lines: &[&str], at: usize, here: &str) -> Option<String> {
    let key = here.trim_start().trim_start_matches('-').trim_start();
    let (name, value) = key.split_once(':')?;
    let name_column = here.len() - key.len();
    let next = lines[at..]
        .iter()
        .position(|l| is_content(l))
        .map(|i| (at + i + 1, lines[at + i]));
    Some(match next {
        Some((n, next)) if value.trim().is_empty() && indent(next) <= name_column => format!(
            "`{name}:` has nothing under it: its fields (line {n}: `{}`) must be indented more \
             than `{name}`, or written inline as `{name}: {{ ... }}`",
            next.trim()
        ),
        _ => format!("`{name}` takes fields: write `{name}: {{ field: value, ... }}`"),
    })
}

/// The nearest line before line `at` that holds YAML and passes `keep`, with its number.
fn above<'a>(
    lines: &[&'a str],
    at: usize,
    keep: impl Fn(&str) -> bool,
) -> Option<(usize, &'a str)> {
    (1..at)
        .rev()
        .map(|n| (n, lines[n - 1]))
        .find(|(_, l)| is_content(l) && keep(l))
}

fn relation(here: &str, above: &str) -> Option<&'static str> {
    match indent(here).cmp(&indent(above)) {
        std::cmp::Ordering::Greater => Some("more"),
        std::cmp::Ordering::Less => Some("less"),
        std::cmp::Ordering::Equal => None,
    }
}

/// A step line cut after its name: `- create_user: ...`.
fn brief(step: &str) -> String {
    match step.trim().split_once(':') {
        Some((name, rest)) if !rest.trim().is_empty() => format!("{name}: ..."),
        _ => step.trim().to_owned(),
    }
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_content(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && !t.starts_with('#')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_swap_is_one_edit_and_far_names_are_not_suggested() {
        assert_eq!(edits("dney", "deny"), 1);
        assert_eq!(edits("create_usr", "create_user"), 1);
        assert_eq!(
            closest("create_usr", &["create_user", "delete_user"]),
            Some("create_user")
        );
        assert_eq!(closest("createUser", &["create_user"]), Some("create_user"));
        assert_eq!(closest("xy", &["ab", "cd"]), None);
        assert_eq!(
            closest("approve_task", &["approve", "deny"]),
            Some("approve")
        );
        assert_eq!(closest("create_it", &["create_user", "create_team"]), None);
    }

    #[test]
    fn an_unknown_step_without_a_near_name_lists_the_steps() {
        let text = "steps:\n  - frobnicate: {}\n";
        let message = "unknown variant `frobnicate`, expected one of approve, deny";
        assert_eq!(
            explain(text, 2, message),
            "unknown step `frobnicate`; expected one of approve, deny"
        );
    }

    #[test]
    fn a_message_with_no_hint_is_kept_as_it_is() {
        assert_eq!(
            explain("a: [\n", 1, "did not find expected ',' or ']'"),
            "did not find expected ',' or ']'"
        );
    }
}
