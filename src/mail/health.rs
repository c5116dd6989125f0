//! Whether ingest is keeping up: which configured mailboxes exist, and
//! which have gone quiet for too long. One rule for the report's alarm,
//! `secdesk status` and the dead man's switch of `secdesk-rotate-notify`.
//! Pure: the health rows and `now` come in.

use crate::config::ImapAccount;
use crate::mail::Health;
use crate::time::{self, Instant, Span};

/// A mailbox that has not been fetched successfully for too long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// The account's name.
    pub account: String,
    /// The mailbox.
    pub mailbox: String,
    /// The last success, if any: names the outage.
    pub last_success: Option<Instant>,
    /// The last error.
    pub last_error: Option<String>,
}

impl Stale {
    /// `account/mailbox`, as people see it.
    pub fn name(&self) -> String {
        format!("{}/{}", self.account, self.mailbox)
    }
}

/// Every configured `(account, mailbox)`, in configuration order.
pub fn configured(imap: &[ImapAccount]) -> Vec<(String, String)> {
    imap.iter()
        .flat_map(|a| a.mailboxes.iter().map(move |m| (a.name.clone(), m.clone())))
        .collect()
}

/// The health of every mailbox fetched before, plus an empty row for each
/// configured mailbox never fetched, so a new mailbox shows as "never".
pub fn with_configured(configured: &[(String, String)], mut health: Vec<Health>) -> Vec<Health> {
    for (account, mailbox) in configured {
        if !health
            .iter()
            .any(|h| &h.account == account && &h.mailbox == mailbox)
        {
            health.push(Health {
                account: account.clone(),
                mailbox: mailbox.clone(),
                last_attempt: None,
                last_success: None,
                last_error: None,
                fetched: 0,
            });
        }
    }
    health
}

/// Whether a mailbox last fetched successfully at `last_success` is stale
/// at `now`: never fetched, or longer ago than `after`.
pub fn is_stale(last_success: Option<Instant>, now: Instant, after: Span) -> bool {
    last_success.is_none_or(|t| time::age(t, now) > after)
}

/// The configured mailboxes that are stale at `now`, in configuration
/// order. Mailboxes no longer configured never raise an alarm.
pub fn stale(
    configured: &[(String, String)],
    health: &[Health],
    now: Instant,
    after: Span,
) -> Vec<Stale> {
    configured
        .iter()
        .filter_map(|(account, mailbox)| {
            let h = health
                .iter()
                .find(|h| &h.account == account && &h.mailbox == mailbox);
            let last_success = h.and_then(|h| h.last_success);
            is_stale(last_success, now, after).then(|| Stale {
                account: account.clone(),
                mailbox: mailbox.clone(),
                last_success,
                last_error: h.and_then(|h| h.last_error.clone()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Instant {
        time::parse(s).unwrap()
    }

    fn fetched(mailbox: &str, success: Option<&str>) -> Health {
        Health {
            account: "lists".into(),
            mailbox: mailbox.into(),
            last_attempt: success.map(at),
            last_success: success.map(at),
            last_error: None,
            fetched: 1,
        }
    }

    #[test]
    fn never_fetched_and_too_old_are_stale_recent_is_not() {
        let configured = vec![
            ("lists".to_string(), "INBOX".to_string()),
            ("lists".to_string(), "old".to_string()),
            ("lists".to_string(), "new".to_string()),
        ];
        let health = vec![
            fetched("INBOX", Some("2026-11-22T08:55:00Z")),
            fetched("old", Some("2026-11-22T07:00:00Z")),
            fetched("gone", None),
        ];
        let now = at("2026-11-22T09:00:00Z");
        let names: Vec<String> = stale(&configured, &health, now, Span::hours(1))
            .iter()
            .map(Stale::name)
            .collect();
        assert_eq!(names, ["lists/old", "lists/new"]);
        assert!(!is_stale(
            Some(at("2026-11-22T08:00:00Z")),
            now,
            Span::hours(1)
        ));
        assert!(is_stale(
            Some(at("2026-11-22T07:59:59Z")),
            now,
            Span::hours(1)
        ));
    }

    #[test]
    fn configured_mailboxes_never_fetched_get_an_empty_row() {
        let configured = vec![("lists".to_string(), "new".to_string())];
        let rows = with_configured(&configured, vec![fetched("INBOX", None)]);
        let names: Vec<(&str, i64)> = rows
            .iter()
            .map(|h| (h.mailbox.as_str(), h.fetched))
            .collect();
        assert_eq!(names, [("INBOX", 1), ("new", 0)]);
    }
}
