//! What a job's success looks like from outside: the Prometheus text
//! exposition (format 0.0.4) of one job's figures, as node exporter's
//! textfile collector reads it from `metrics_dir/secdesk-<job>.prom`.
//!
//! A dead host, a stopped timer or a job that fails every run pages nobody
//! from inside; an alert on `secdesk_job_last_success_timestamp_seconds`
//! going stale does. Every metric is a gauge labelled with the job, so the
//! files of several jobs merge into one scrape without clashing: the
//! timestamp of the job's last success, what that run did (messages
//! ingested, for ingest), and how the desk stood at that moment (mail
//! queued and failed, open issues by state). Every open state
//! is written, with 0 where no issue is in it, so that an absent series
//! means "no file", never "none".
//!
//! Pure: figures in, text out. Writing the file and pinging the heartbeat
//! are `job::monitor`'s.

use crate::outbox::OutboxState;
use crate::time::Instant;
use crate::triage::State;
use std::fmt::Write;

/// One job's figures at the end of a successful run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The job's name: the binary's without `secdesk-` (`ingest`).
    pub job: String,
    /// The instant of the run (`--now` or the clock), UTC.
    pub now: Instant,
    /// What the run itself did.
    pub run: Run,
    /// Outbox rows by state.
    pub outbox: Vec<(OutboxState, i64)>,
    /// Open issues by state (merged issues not counted).
    pub issues: Vec<(State, i64)>,
}

/// What one run did, for the figures only some jobs have.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Run {
    /// Messages stored for the first time or as another copy (ingest).
    pub messages_ingested: Option<u64>,
}

/// The file a job's metrics live in, inside `metrics_dir`.
pub fn file_name(job: &str) -> String {
    format!("secdesk-{job}.prom")
}

/// The job's name as metrics label it: the program's name without the
/// `secdesk-` prefix (`secdesk-ingest` → `ingest`).
pub fn job_name(program: &str) -> &str {
    program.strip_prefix("secdesk-").unwrap_or(program)
}

/// The exposition text of `snapshot`: HELP and TYPE lines, then the
/// samples, ending in a newline. No sample carries a timestamp of its own:
/// node exporter refuses those in textfiles.
pub fn exposition(snapshot: &Snapshot) -> String {
    let job = label_value(&snapshot.job);
    let mut out = String::new();
    let mut gauge = |name: &str, help: &str, samples: &[(String, String)]| {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} gauge");
        for (labels, value) in samples {
            let _ = writeln!(out, "{name}{{job=\"{job}\"{labels}}} {value}");
        }
    };
    gauge(
        "secdesk_job_last_success_timestamp_seconds",
        "When the job last finished successfully, in seconds since the Unix epoch (UTC).",
        &[(String::new(), seconds(snapshot.now))],
    );
    if let Some(n) = snapshot.run.messages_ingested {
        gauge(
            "secdesk_job_messages_ingested",
            "Messages the job's last successful run stored (new, or another copy of a known Message-ID).",
            &[(String::new(), n.to_string())],
        );
    }
    let outbox = |states: &[OutboxState]| -> String {
        let n: i64 = snapshot
            .outbox
            .iter()
            .filter(|(s, _)| states.contains(s))
            .map(|(_, n)| n)
            .sum();
        n.to_string()
    };
    gauge(
        "secdesk_outbox_queued",
        "Mails waiting in the outbox (queued or being sent) when the job last succeeded.",
        &[(
            String::new(),
            outbox(&[OutboxState::Queued, OutboxState::Sending]),
        )],
    );
    gauge(
        "secdesk_outbox_failed",
        "Mails the SMTP server refused for good, when the job last succeeded.",
        &[(String::new(), outbox(&[OutboxState::Failed]))],
    );
    let open: Vec<(String, String)> = State::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| {
            let n: i64 = snapshot
                .issues
                .iter()
                .filter(|(t, _)| t == s)
                .map(|(_, n)| n)
                .sum();
            (format!(",state=\"{}\"", s.as_str()), n.to_string())
        })
        .collect();
    gauge(
        "secdesk_issues_open",
        "Open issues by state when the job last succeeded.",
        &open,
    );
    out
}

/// Seconds since the epoch, with milliseconds when the instant has them.
fn seconds(at: Instant) -> String {
    let millis = at.timestamp_millis();
    let (secs, rest) = (millis.div_euclid(1000), millis.rem_euclid(1000));
    if rest == 0 {
        secs.to_string()
    } else {
        format!("{secs}.{rest:03}")
    }
}

/// A label value as the text format wants it: `\`, `"` and newlines
/// escaped.
fn label_value(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn check(snapshot: &Snapshot, expect: Expect) {
        expect.assert_eq(&exposition(snapshot));
    }

    fn at(text: &str) -> Instant {
        crate::time::parse(text).expect("a valid instant in the test")
    }

    #[test]
    fn ingest_file_has_every_figure_and_every_open_state() {
        check(
            &Snapshot {
                job: "ingest".into(),
                now: at("2026-11-22T09:00:00Z"),
                run: Run {
                    messages_ingested: Some(12),
                },
                outbox: vec![
                    (OutboxState::Queued, 2),
                    (OutboxState::Sending, 1),
                    (OutboxState::Sent, 9),
                    (OutboxState::Failed, 1),
                ],
                issues: vec![(State::New, 3), (State::Claimed, 1), (State::Dismissed, 4)],
            },
            expect![[r##"
                # HELP secdesk_job_last_success_timestamp_seconds When the job last finished successfully, in seconds since the Unix epoch (UTC).
                # TYPE secdesk_job_last_success_timestamp_seconds gauge
                secdesk_job_last_success_timestamp_seconds{job="ingest"} 1795338000
                # HELP secdesk_job_messages_ingested Messages the job's last successful run stored (new, or another copy of a known Message-ID).
                # TYPE secdesk_job_messages_ingested gauge
                secdesk_job_messages_ingested{job="ingest"} 12
                # HELP secdesk_outbox_queued Mails waiting in the outbox (queued or being sent) when the job last succeeded.
                # TYPE secdesk_outbox_queued gauge
                secdesk_outbox_queued{job="ingest"} 3
                # HELP secdesk_outbox_failed Mails the SMTP server refused for good, when the job last succeeded.
                # TYPE secdesk_outbox_failed gauge
                secdesk_outbox_failed{job="ingest"} 1
                # HELP secdesk_issues_open Open issues by state when the job last succeeded.
                # TYPE secdesk_issues_open gauge
                secdesk_issues_open{job="ingest",state="new"} 3
                secdesk_issues_open{job="ingest",state="claimed"} 1
                secdesk_issues_open{job="ingest",state="triaged"} 0
            "##]],
        );
    }

    #[test]
    fn other_jobs_have_no_ingest_count_and_keep_milliseconds() {
        let text = exposition(&Snapshot {
            job: "rotate-notify".into(),
            now: at("2026-11-22T09:00:00.250Z"),
            run: Run::default(),
            outbox: vec![],
            issues: vec![],
        });
        assert!(!text.contains("secdesk_job_messages_ingested"), "{text}");
        assert!(
            text.contains(
                "secdesk_job_last_success_timestamp_seconds{job=\"rotate-notify\"} 1795338000.250\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn job_and_file_names_follow_the_program() {
        assert_eq!(job_name("secdesk-triage-report"), "triage-report");
        assert_eq!(file_name("ingest"), "secdesk-ingest.prom");
    }
}
