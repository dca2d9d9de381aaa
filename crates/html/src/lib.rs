//! Server-rendered HTML for both fakes' admin consoles and sign-in pages: escaping, one page
//! frame and notices (no templates and no JavaScript build; pages are strings, forms post, and
//! every control is a real `<button>`, `<input>` or `<select>` with a label, so the consoles work
//! from the keyboard), the consoles' CSRF tokens in every post form ([`csrf`]), and times as
//! people read them ([`time`]). What is not
//! HTML (bearer and cookie parsing, the admin guard, the Host guard, logs, HAR, health) is
//! `harness-server`'s.

pub mod csrf;
pub mod time;

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A console page: the product's name, a navigation bar (`(href, label)`, the current one
/// marked), a title and the body.
pub fn page(product: &str, nav: &[(&str, &str)], current: &str, title: &str, body: &str) -> String {
    let links: String = nav
        .iter()
        .map(|(href, label)| {
            let here = if *href == current {
                " aria-current=\"page\""
            } else {
                ""
            };
            format!("<a href=\"{}\"{here}>{}</a>", escape(href), escape(label))
        })
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title} · {product}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header><strong>{product}</strong> <nav>{links}</nav></header>\n<main>\n<h1>{title}</h1>\n{body}\n</main>\n</body>\n</html>\n",
        title = escape(title),
        product = escape(product),
    )
}

/// A notice shown above a page's content: `ok` (green) or an error (red).
pub fn notice(ok: bool, message: &str) -> String {
    let class = if ok { "ok" } else { "error" };
    format!(
        "<p class=\"notice {class}\" role=\"status\">{}</p>",
        escape(message)
    )
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;color:#1e1f21}\
header{background:#2d2e30;color:#fff;padding:.6rem 1rem}header a{color:#fff;margin-right:1rem}\
header a[aria-current]{text-decoration:underline;font-weight:bold}\
main{padding:1rem 1.5rem;max-width:72rem}table{border-collapse:collapse;margin:.5rem 0 1rem}\
th,td{border-bottom:1px solid #ddd;padding:.35rem .6rem;text-align:left;vertical-align:top}\
form.inline{display:inline}fieldset{margin:.8rem 0;border:1px solid #ccc}\
label{margin-right:.6rem}input,select,button{font:inherit;margin:.15rem .3rem .15rem 0}\
button{cursor:pointer}.notice{padding:.5rem .8rem;border-radius:4px}.ok{background:#e3f5e9}\
.error{background:#fde8e8}.status-connected{color:#137333}.status-failed{color:#b3261e}\
.status-disabled{color:#666}dialog{border:1px solid #888;border-radius:6px;padding:1rem 1.5rem}\
code{background:#f3f3f3;padding:.1rem .3rem;word-break:break-all}.tabs a{margin-right:1rem}\
.hint{color:#555;margin-left:.4rem}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_text_and_attributes() {
        assert_eq!(
            escape(r#"<a href="x">Tom & Jerry's</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
    }

    #[test]
    fn the_frame_marks_the_current_page() {
        let html = page(
            "Asana",
            &[("/admin/a", "A"), ("/admin/b", "B")],
            "/admin/b",
            "B <title>",
            "<p>x</p>",
        );
        assert!(html.contains("<a href=\"/admin/b\" aria-current=\"page\">B</a>"));
        assert!(html.contains("<h1>B &lt;title&gt;</h1>"));
        assert!(html.starts_with("<!doctype html>"));
    }
}
