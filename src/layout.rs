//! Laying text out for people: plain-text tables. Pure; shared by the
//! CLI's listings and the report's text rendering. Shortening a cell is
//! [`crate::text::ellipsize`].

/// Lays rows out as a left-aligned text table with a header line. Widths
/// count characters, not bytes, so non-ASCII titles line up.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
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
