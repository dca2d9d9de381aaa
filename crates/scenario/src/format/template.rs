//! `${name.field}` templates: the file syntax for values bound by earlier steps. Loading checks
//! that every name is bound before use; the runner substitutes.

/// The `${name.field}` references in a text, in order.
pub fn references(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        out.push(rest[start + 2..start + end].to_owned());
        rest = &rest[start + end + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_in_order() {
        assert_eq!(
            references("Bearer ${sa.token} and ${ada.id}"),
            ["sa.token", "ada.id"]
        );
        assert!(references("no ${ end").is_empty());
    }
}
