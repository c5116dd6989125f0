//! The trends page's charts, drawn as inline SVG by the renderer: no
//! script, readable without colour (each line has its own dash pattern
//! and marker, is labelled at its end, carries a `<title>`, and the page
//! prints every number in a table below). Pure: `now` comes in.

use super::PublicIssue;
use super::rows::Arrivals;
use crate::text::html_escape;
use crate::time::Instant;
use serde::Serialize;
use std::fmt::Write;

/// One chart: its SVG and the numbers it draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    /// The anchor id.
    pub id: &'static str,
    /// The heading.
    pub title: String,
    /// What it shows, in a sentence.
    pub description: String,
    /// The drawing (escaped where it holds text).
    pub svg: String,
    /// A remark shown under it (a series with no data, and why).
    pub note: Option<String>,
    /// The first column's heading.
    pub x_name: &'static str,
    /// The series, in drawing order.
    pub series: Vec<Series>,
    /// The table: one row per point, the x label then each series' value.
    pub rows: Vec<Vec<String>>,
}

/// One line of a chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    /// Its name, as labelled.
    pub name: String,
    /// One value per point; `None` where there is no data.
    #[serde(skip)]
    pub values: Vec<Option<f64>>,
}

const WEEK: i64 = 7 * 24 * 3600;
const WEEKS: i64 = 52;

/// Open issues by state at the end of each of the last 52 weeks (and
/// now), from the milestones: opened and not yet closed; fixed, else
/// triaged, else claimed, else new.
pub fn open_by_state(issues: &[PublicIssue], now: Instant) -> Chart {
    let points: Vec<Instant> = (0..=WEEKS)
        .map(|k| now - chrono::Duration::seconds((WEEKS - k) * WEEK))
        .collect();
    let names = ["new", "claimed", "triaged", "fixed"];
    let mut counts = vec![[0f64; 4]; points.len()];
    for i in issues {
        let m = &i.milestones;
        for (p, t) in points.iter().enumerate() {
            if i.created > *t || m.closed.is_some_and(|c| c <= *t) {
                continue;
            }
            let reached = |at: Option<Instant>| at.is_some_and(|a| a <= *t);
            let s = if reached(m.fixed) {
                3
            } else if reached(m.triaged) {
                2
            } else if reached(m.claimed) {
                1
            } else {
                0
            };
            counts[p][s] += 1.0;
        }
    }
    let series = names
        .iter()
        .enumerate()
        .map(|(s, n)| Series {
            name: n.to_string(),
            values: counts.iter().map(|c| Some(c[s])).collect(),
        })
        .collect();
    let labels = points
        .iter()
        .map(|t| t.format("%Y-%m-%d").to_string())
        .collect();
    chart(
        "open",
        "Open issues by state",
        "How many issues were open at the end of each week, by where they stood: new (not claimed), claimed, triaged, fixed but not yet announced.",
        "Week ending",
        labels,
        series,
        "issues",
        None,
    )
}

/// Messages per source in each of the last 52 weeks (the last ending
/// now).
pub fn arrivals(rows: &[Arrivals], now: Instant) -> Chart {
    let today = now.date_naive();
    let mut sources: Vec<crate::mail::Source> = rows.iter().map(|r| r.source).collect();
    sources.sort();
    sources.dedup();
    let mut values = vec![vec![0f64; WEEKS as usize]; sources.len()];
    for r in rows {
        let Ok(day) = chrono::NaiveDate::parse_from_str(&r.day, "%Y-%m-%d") else {
            continue;
        };
        let ago = (today - day).num_days();
        if !(0..WEEKS * 7).contains(&ago) {
            continue;
        }
        let week = (WEEKS - 1 - ago / 7) as usize;
        if let Some(s) = sources.iter().position(|s| *s == r.source) {
            values[s][week] += r.count as f64;
        }
    }
    let labels = (0..WEEKS)
        .map(|k| {
            (today - chrono::Duration::days((WEEKS - 1 - k) * 7))
                .format("%Y-%m-%d")
                .to_string()
        })
        .collect();
    let series = sources
        .iter()
        .zip(values)
        .map(|(s, v)| Series {
            name: s.as_str().to_string(),
            values: v.into_iter().map(Some).collect(),
        })
        .collect();
    chart(
        "arrivals",
        "Weekly arrivals per source",
        "How many messages each list or advisory source brought in each week (weeks end on the date shown).",
        "Week ending",
        labels,
        series,
        "messages",
        rows.is_empty()
            .then(|| "No mail in the last year.".to_string()),
    )
}

/// The median days from an issue's first mail to its claim, triage, fix
/// and arrival in the channel, by the month of the first mail, over the
/// last 12 months. `channel_tracked` is false until fix tracking (issue
/// 16) provides arrivals: that line is then empty and says so.
pub fn time_to(issues: &[PublicIssue], now: Instant, channel_tracked: bool) -> Chart {
    use chrono::Datelike;
    let month_of = |t: Instant| t.year() * 12 + t.month0() as i32;
    let last = month_of(now);
    let months: Vec<i32> = (last - 11..=last).collect();
    let mut waits: Vec<[Vec<f64>; 4]> = (0..months.len()).map(|_| Default::default()).collect();
    for i in issues {
        let m = &i.milestones;
        let Some(first) = m.first_mail else { continue };
        let Some(slot) = months.iter().position(|x| *x == month_of(first)) else {
            continue;
        };
        for (k, at) in [m.claimed, m.triaged, m.fixed, m.channel]
            .iter()
            .enumerate()
        {
            if let Some(at) = at {
                let days = (*at - first).num_seconds().max(0) as f64 / 86_400.0;
                waits[slot][k].push(days);
            }
        }
    }
    let names = ["to claim", "to triage", "to fix", "to the channel"];
    let series = names
        .iter()
        .enumerate()
        .map(|(k, n)| Series {
            name: n.to_string(),
            values: waits.iter().map(|w| median(&w[k])).collect(),
        })
        .collect();
    let labels = months
        .iter()
        .map(|m| format!("{:04}-{:02}", m / 12, m % 12 + 1))
        .collect();
    chart(
        "time-to",
        "Median days from first mail",
        "For the issues whose first mail came in each month: the median number of days until someone claimed them, until every release was triaged, until they were fixed, and until the fix reached the channel.",
        "Month of first mail",
        labels,
        series,
        "days",
        (!channel_tracked).then(|| "to the channel: fix tracking not configured.".to_string()),
    )
}

/// The median of `v` (mean of the middle two for an even count).
fn median(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    Some(if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    })
}

/// Dash patterns, markers and colours per series: each line differs
/// without colour.
const STYLES: &[(&str, &str, &str)] = &[
    ("", "circle", "#1f4e99"),
    ("8 4", "square", "#b3261e"),
    ("2 3", "triangle", "#1b7a3a"),
    ("10 3 2 3", "diamond", "#7a4b00"),
    ("4 4", "cross", "#5b2a86"),
    ("12 2", "circle", "#00666b"),
    ("1 2", "square", "#444444"),
];

#[allow(clippy::too_many_arguments)]
fn chart(
    id: &'static str,
    title: &str,
    description: &str,
    x_name: &'static str,
    labels: Vec<String>,
    series: Vec<Series>,
    unit: &str,
    note: Option<String>,
) -> Chart {
    let svg = draw(id, title, &labels, &series, unit);
    let rows = labels
        .iter()
        .enumerate()
        .map(|(p, l)| {
            let mut row = vec![l.clone()];
            for s in &series {
                row.push(match s.values.get(p).copied().flatten() {
                    Some(v) => number(v),
                    None => "–".into(),
                });
            }
            row
        })
        .collect();
    Chart {
        id,
        title: title.into(),
        description: description.into(),
        svg,
        note,
        x_name,
        series,
        rows,
    }
}

/// A value as the table and labels show it: whole numbers plain, others
/// with one decimal.
fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn draw(id: &str, title: &str, labels: &[String], series: &[Series], unit: &str) -> String {
    let (w, h) = (640.0, 280.0);
    let (left, right, top, bottom) = (44.0, 120.0, 24.0, 36.0);
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .fold(0f64, |a, b| a.max(*b));
    let top_value = nice(max);
    let n = labels.len().max(2) as f64 - 1.0;
    let x = |p: usize| left + plot_w * p as f64 / n;
    let y = |v: f64| top + plot_h - plot_h * v / top_value;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="{id}-t"><title id="{id}-t">{}</title>"#,
        html_escape(title)
    );
    // Axes and grid: four steps, labelled in the unit.
    for k in 0..=4 {
        let v = top_value * f64::from(k) / 4.0;
        let yy = y(v);
        let _ = write!(
            out,
            r##"<line x1="{left}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{}</text>"##,
            left + plot_w,
            left - 4.0,
            yy + 4.0,
            number(v)
        );
    }
    let _ = write!(
        out,
        r#"<text x="4" y="{:.1}" font-size="11">{}</text>"#,
        top - 12.0,
        html_escape(unit)
    );
    // First, middle and last x labels.
    for p in [0, labels.len() / 2, labels.len().saturating_sub(1)] {
        if let Some(l) = labels.get(p) {
            let anchor = if p == 0 {
                "start"
            } else if p + 1 == labels.len() {
                "end"
            } else {
                "middle"
            };
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="{anchor}">{}</text>"#,
                x(p),
                h - bottom + 16.0,
                html_escape(l)
            );
        }
    }
    let mut ends: Vec<(f64, String, &str)> = Vec::new();
    for (k, s) in series.iter().enumerate() {
        let (dash, marker, colour) = STYLES[k % STYLES.len()];
        let _ = write!(out, r#"<g><title>{}</title>"#, html_escape(&s.name));
        let mut path = String::new();
        let mut last = None;
        for (p, v) in s.values.iter().enumerate() {
            match v {
                Some(v) => {
                    let cmd = if path.is_empty() || last.is_none() {
                        'M'
                    } else {
                        'L'
                    };
                    let _ = write!(path, "{cmd}{:.1} {:.1} ", x(p), y(*v));
                    last = Some((p, *v));
                }
                None => last = None,
            }
        }
        if !path.is_empty() {
            let _ = write!(
                out,
                r#"<path d="{}" fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>"#,
                path.trim_end()
            );
        }
        // Markers on a few points so the shape tells the line apart.
        let every = (s.values.len() / 8).max(1);
        for (p, v) in s.values.iter().enumerate() {
            if let Some(v) = v
                && (p % every == 0 || p + 1 == s.values.len())
            {
                out.push_str(&mark(marker, x(p), y(*v), colour));
            }
        }
        out.push_str("</g>");
        if let Some(v) = s.values.iter().rev().flatten().next() {
            ends.push((y(*v), s.name.clone(), colour));
        }
    }
    // Direct labels at the right, pushed apart so they never overlap.
    ends.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut prev = f64::MIN;
    for (yy, name, colour) in ends {
        let yy = yy.max(prev + 13.0);
        prev = yy;
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" font-size="12" fill="{colour}">{}</text>"#,
            left + plot_w + 6.0,
            yy + 4.0,
            html_escape(&name)
        );
    }
    out.push_str("</svg>");
    out
}

fn mark(kind: &str, x: f64, y: f64, colour: &str) -> String {
    match kind {
        "square" => format!(
            r#"<rect x="{:.1}" y="{:.1}" width="6" height="6" fill="{colour}"/>"#,
            x - 3.0,
            y - 3.0
        ),
        "triangle" => format!(
            r#"<path d="M{x:.1} {:.1} L{:.1} {:.1} L{:.1} {:.1} Z" fill="{colour}"/>"#,
            y - 4.0,
            x + 4.0,
            y + 3.0,
            x - 4.0,
            y + 3.0
        ),
        "diamond" => format!(
            r#"<path d="M{x:.1} {:.1} L{:.1} {y:.1} L{x:.1} {:.1} L{:.1} {y:.1} Z" fill="{colour}"/>"#,
            y - 4.0,
            x + 4.0,
            y + 4.0,
            x - 4.0
        ),
        "cross" => format!(
            r#"<path d="M{:.1} {:.1} L{:.1} {:.1} M{:.1} {:.1} L{:.1} {:.1}" stroke="{colour}" stroke-width="2"/>"#,
            x - 3.0,
            y - 3.0,
            x + 3.0,
            y + 3.0,
            x - 3.0,
            y + 3.0,
            x + 3.0,
            y - 3.0
        ),
        _ => format!(r#"<circle cx="{x:.1}" cy="{y:.1}" r="3" fill="{colour}"/>"#),
    }
}

/// A round number at or above `v` for the top of the axis (at least 1).
fn nice(v: f64) -> f64 {
    if v <= 1.0 {
        return 1.0;
    }
    let mag = 10f64.powf(v.log10().floor());
    for step in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if step * mag >= v {
            return step * mag;
        }
    }
    10.0 * mag
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_axis_tops() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[1.0, 2.0]), Some(1.5));
        assert_eq!(nice(0.0), 1.0);
        assert_eq!(nice(7.0), 10.0);
        assert_eq!(nice(120.0), 200.0);
    }

    #[test]
    fn a_series_name_is_escaped_in_the_drawing() {
        let s = Series {
            name: "<b>".into(),
            values: vec![Some(1.0), None, Some(2.0)],
        };
        let svg = draw("x", "t", &["a".into(), "b".into(), "c".into()], &[s], "u");
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"), "{svg}");
    }
}
