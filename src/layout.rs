//! Laying text out for people: plain-text tables. Pure; shared by the
//! CLI's listings and the report's text rendering. Shortening a cell is
//! [`crate::text::ellipsize`].
//!
//! **The page width.** A listing's `Display` reads the width of the page
//! it is printed on from the formatter (`format!("{listing:100}")`, see
//! [`page`]); the CLI sets it to the terminal's width when stdout is a
//! terminal, and sets nothing otherwise, so pipes, files and tests get
//! every line at full width. No colour is ever emitted.

use crate::text::ellipsize;

/// The narrowest a shrunk column is cut to (or its header, if wider),
/// however narrow the page: below this a cell says nothing, and the line
/// is better wrapped by the terminal than emptied.
pub const MIN_SHRUNK: usize = 10;

/// The page width a `Display` is asked for (`{value:WIDTH}`), if any, less
/// `indent` characters the caller puts before each line.
pub fn page(f: &std::fmt::Formatter<'_>, indent: usize) -> Option<usize> {
    f.width().map(|w| w.saturating_sub(indent))
}

/// Lays rows out as a left-aligned text table with a header line. Widths
/// count characters, not bytes, so non-ASCII titles line up.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    fit(headers, rows, None, &[])
}

/// [`table`], no wider than `width` characters when one is given: the
/// `shrink` columns (free text: a title, a list of sources) give up what
/// the line has too much, the widest first, so they end up alike; their
/// cells are cut with `…`, never below [`MIN_SHRUNK`] characters or their
/// header. Without a width, or when the table fits, it is [`table`].
pub fn fit(
    headers: &[&str],
    rows: &[Vec<String>],
    width: Option<usize>,
    shrink: &[usize],
) -> String {
    let mut widths = widths(headers, rows);
    let total: usize = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
    let Some(mut excess) = width
        .and_then(|page| total.checked_sub(page))
        .filter(|e| *e > 0)
    else {
        return lay_out(headers, rows, &widths);
    };
    let floor = |i: usize| MIN_SHRUNK.max(headers.get(i).map_or(0, |h| h.chars().count()));
    while excess > 0 {
        let widest = shrink
            .iter()
            .copied()
            .filter(|&i| widths.get(i).is_some_and(|&w| w > floor(i)))
            .max_by_key(|&i| (widths[i], std::cmp::Reverse(i)));
        let Some(i) = widest else { break };
        widths[i] -= 1;
        excess -= 1;
    }
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(i, cell)| match widths.get(i) {
                    Some(&w) if shrink.contains(&i) => ellipsize(cell, w),
                    _ => cell.clone(),
                })
                .collect()
        })
        .collect();
    lay_out(headers, &rows, &self::widths(headers, &rows))
}

fn widths(headers: &[&str], rows: &[Vec<String>]) -> Vec<usize> {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    widths
}

fn lay_out(headers: &[&str], rows: &[Vec<String>], widths: &[usize]) -> String {
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut l = String::new();
        for (i, cell) in cells.enumerate() {
            let w = widths.get(i).copied().unwrap_or(0);
            if i + 1 < widths.len() {
                l.push_str(cell);
                l.extend(std::iter::repeat_n(
                    ' ',
                    w.saturating_sub(cell.chars().count()) + 2,
                ));
            } else {
                l.push_str(cell);
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&mut headers.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn check(width: Option<usize>, expect: Expect) {
        let rows = vec![
            vec![
                "#1".into(),
                "a title long enough to be cut".into(),
                "x".into(),
            ],
            vec!["#22".into(), "short".into(), "y".into()],
        ];
        expect.assert_eq(&fit(&["ID", "TITLE", "END"], &rows, width, &[1]));
    }

    #[test]
    fn fit_shrinks_the_free_text_column_to_the_page() {
        check(
            None,
            expect![[r#"
                ID   TITLE                          END
                #1   a title long enough to be cut  x
                #22  short                          y
            "#]],
        );
        check(
            Some(30),
            expect![[r#"
                ID   TITLE                 END
                #1   a title long enough…  x
                #22  short                 y
            "#]],
        );
        // Never below MIN_SHRUNK: the line is then wider than the page.
        check(
            Some(8),
            expect![[r#"
                ID   TITLE       END
                #1   a title l…  x
                #22  short       y
            "#]],
        );
    }

    #[test]
    fn fit_shrinks_the_widest_free_text_column_first() {
        let rows = vec![vec![
            "#1".to_string(),
            "oss-security,full-disclosure".to_string(),
            "Local Privilege Escalations in needrestart, and more".to_string(),
        ]];
        let out = fit(&["ID", "SOURCES", "TITLE"], &rows, Some(50), &[2, 1]);
        expect![[r#"
            ID  SOURCES                 TITLE
            #1  oss-security,full-dis…  Local Privilege Escal…
        "#]]
        .assert_eq(&out);
        assert!(out.lines().all(|l| l.chars().count() <= 50), "{out}");
    }
}
