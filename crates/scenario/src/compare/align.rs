//! Which exchange of one sequence goes beside which of the other: the longest common
//! subsequence of their requests (method and path relative to the SCIM base), so that after one
//! side makes an extra exchange, or misses one, the rest still pair up and are compared.
//!
//! Deterministic: on a tie a pair comes first, then the fake's unpaired exchanges, then the
//! endpoint's. Cost: the common head and tail pair up in linear time; what lies between takes
//! a table of its lengths' product. A scenario makes tens of exchanges, so that is small; past
//! [`MAX_CELLS`] the middle is left unpaired rather than grow without bound.

use crate::report::ExchangeShape;

/// The largest table the alignment builds (4 bytes a cell): about a thousand exchanges on each
/// side between their common head and tail, far beyond any scenario.
const MAX_CELLS: usize = 1 << 20;

/// One line of the aligned sequences: an index into each side, `None` where that side has no
/// exchange beside the other's.
pub(crate) type Row = (Option<usize>, Option<usize>);

fn same_request(a: &ExchangeShape, b: &ExchangeShape) -> bool {
    a.method == b.method && a.path == b.path
}

/// The two sequences as lines: paired where the requests are the same, unpaired elsewhere.
pub(crate) fn align(fake: &[ExchangeShape], external: &[ExchangeShape]) -> Vec<Row> {
    let head = fake
        .iter()
        .zip(external)
        .take_while(|(f, e)| same_request(f, e))
        .count();
    let tail = fake[head..]
        .iter()
        .rev()
        .zip(external[head..].iter().rev())
        .take_while(|(f, e)| same_request(f, e))
        .count();
    let (f_end, e_end) = (fake.len() - tail, external.len() - tail);
    let mut rows: Vec<Row> = (0..head).map(|i| (Some(i), Some(i))).collect();
    middle(&fake[head..f_end], &external[head..e_end], head, &mut rows);
    rows.extend((0..tail).map(|k| (Some(f_end + k), Some(e_end + k))));
    rows
}

/// The part between the common head and tail, its indices offset by `from`.
fn middle(fake: &[ExchangeShape], external: &[ExchangeShape], from: usize, rows: &mut Vec<Row>) {
    let (n, m) = (fake.len(), external.len());
    if n.saturating_mul(m) > MAX_CELLS {
        rows.extend((0..n).map(|i| (Some(from + i), None)));
        rows.extend((0..m).map(|j| (None, Some(from + j))));
        return;
    }
    // lcs[i * (m + 1) + j]: the longest common subsequence of fake[i..] and external[j..].
    let width = m + 1;
    let mut lcs = vec![0u32; (n + 1) * width];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * width + j] = if same_request(&fake[i], &external[j]) {
                lcs[(i + 1) * width + j + 1] + 1
            } else {
                lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && same_request(&fake[i], &external[j]) {
            rows.push((Some(from + i), Some(from + j)));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[(i + 1) * width + j] >= lcs[i * width + j + 1]) {
            rows.push((Some(from + i), None));
            i += 1;
        } else {
            rows.push((None, Some(from + j)));
            j += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(requests: &[&str]) -> Vec<ExchangeShape> {
        requests
            .iter()
            .map(|r| {
                let (method, path) = r.split_once(' ').unwrap();
                ExchangeShape {
                    method: method.into(),
                    path: path.into(),
                    query: None,
                    status: Some(200),
                    body: serde_json::Value::Null,
                }
            })
            .collect()
    }

    #[test]
    fn an_extra_exchange_in_the_middle_leaves_the_rest_paired() {
        let a = seq(&[
            "GET /Users",
            "POST /Users",
            "GET /Users/{id}",
            "DELETE /Users/{id}",
        ]);
        let b = seq(&["GET /Users", "POST /Users", "DELETE /Users/{id}"]);
        assert_eq!(
            align(&a, &b),
            [
                (Some(0), Some(0)),
                (Some(1), Some(1)),
                (Some(2), None),
                (Some(3), Some(2))
            ]
        );
        assert_eq!(
            align(&b, &a),
            [
                (Some(0), Some(0)),
                (Some(1), Some(1)),
                (None, Some(2)),
                (Some(2), Some(3))
            ]
        );
    }

    #[test]
    fn different_requests_at_one_place_are_the_fakes_then_the_endpoints() {
        let a = seq(&["POST /Users", "PATCH /Users/{id}", "GET /Users/{id}"]);
        let b = seq(&["POST /Users", "PUT /Users/{id}", "GET /Users/{id}"]);
        assert_eq!(
            align(&a, &b),
            [
                (Some(0), Some(0)),
                (Some(1), None),
                (None, Some(1)),
                (Some(2), Some(2))
            ]
        );
    }

    #[test]
    fn past_the_bound_the_middle_is_left_unpaired() {
        // One pair hides in the middle; only the table would find it.
        let long = seq(&vec!["GET /Users"; 1100]);
        let mut other = seq(&vec!["GET /Groups"; 999]);
        other.insert(500, seq(&["GET /Users"])[0].clone());
        let rows = align(&long, &other);
        assert_eq!(rows.len(), 2100);
        assert!(rows.iter().all(|r| r.0.is_none() || r.1.is_none()));
        // Within the bound, the same hidden pair is found.
        let short = seq(&["GET /Users"; 10]);
        let mut other = seq(&["GET /Groups"; 9]);
        other.insert(5, seq(&["GET /Users"])[0].clone());
        let paired = align(&short, &other)
            .iter()
            .filter(|r| r.0.is_some() && r.1.is_some())
            .count();
        assert_eq!(paired, 1);
    }

    #[test]
    fn the_table_pairs_what_trimming_cannot() {
        let a = seq(&["GET /A", "GET /B", "GET /C"]);
        let b = seq(&["GET /B", "GET /C", "GET /A"]);
        assert_eq!(
            align(&a, &b),
            [
                (Some(0), None),
                (Some(1), Some(0)),
                (Some(2), Some(1)),
                (None, Some(2))
            ]
        );
    }
}
