//! The one refusal type: a request the rules refuse, so nothing changed and
//! retrying will not help (exit 2).
//!
//! Each module states its own rules as a plain enum (`triage::Refused`,
//! `rota::Refused`) that implements `Display` but not `std::error::Error`,
//! so it cannot become an `anyhow::Error` by itself: the only way to the
//! edge is through [`Refusal`], which `cli::exit_code` maps to 2. A new
//! module's refusals get exit 2 by adding a variant here; forgetting to is
//! a compile error, not an exit 1. Pure: data only.

use std::fmt;

/// A request refused by a rule or asked wrongly. Nothing changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// An issue rule (claimed by someone else, `fixed` without `--ref`, …).
    Triage(crate::triage::Refused),
    /// A rota rule (a shift left with nobody, a date before the start, …).
    Rota(crate::rota::Refused),
    /// The Bat-Signal refused.
    Signal(crate::signal::Refused),
    /// An advisory rule (the author approving, an unfixed release, …).
    Advisory(crate::advisory::draft::Refused),
    /// A fix-tracking rule (no proposal, several, not proposed, …).
    Fix(crate::fix::Refused),
    /// A value that does not parse as asked (`--since yesterday`).
    Usage(String),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Triage(r) => r.fmt(f),
            Refusal::Rota(r) => r.fmt(f),
            Refusal::Signal(r) => r.fmt(f),
            Refusal::Advisory(r) => r.fmt(f),
            Refusal::Fix(r) => r.fmt(f),
            Refusal::Usage(r) => f.write_str(r),
        }
    }
}

impl std::error::Error for Refusal {}

impl From<crate::triage::Refused> for Refusal {
    fn from(r: crate::triage::Refused) -> Refusal {
        Refusal::Triage(r)
    }
}

impl From<crate::rota::Refused> for Refusal {
    fn from(r: crate::rota::Refused) -> Refusal {
        Refusal::Rota(r)
    }
}

impl From<crate::signal::Refused> for Refusal {
    fn from(r: crate::signal::Refused) -> Refusal {
        Refusal::Signal(r)
    }
}

impl From<crate::advisory::draft::Refused> for Refusal {
    fn from(r: crate::advisory::draft::Refused) -> Refusal {
        Refusal::Advisory(r)
    }
}

impl From<crate::fix::Refused> for Refusal {
    fn from(r: crate::fix::Refused) -> Refusal {
        Refusal::Fix(r)
    }
}
