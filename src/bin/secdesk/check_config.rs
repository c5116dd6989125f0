//! `secdesk check-config`: the configuration checked as the programs load
//! it, without opening the database or reading a secret, so a build (the
//! NixOS module's checked configuration file) or a deploy script can refuse
//! a wrong file before any timer runs on it.

use secdesk::cli::{self, CommonArgs};
use secdesk::config;

/// Check the configuration file and exit; touches nothing else.
///
/// Loads the file the programs would load (--config, else $SECDESK_CONFIG,
/// else /etc/secdesk/config.json when it exists, else the embedded
/// defaults) through the same code, with the same errors: unknown keys,
/// wrong types, team members that rotation.order names but `team` lacks,
/// time zones, dates, times of day and durations. Then it checks what the
/// programs check only when they come to use a setting: each secret given
/// as a `*_file` path or a `*_credential` name they can read, `smtp.user`
/// with a password beside it, every mail address (smtp.from,
/// team[].email, report.to[]), and the site's URLs (site.base_url,
/// site.archive_urls).
///
/// It reads only the configuration file: no secret (their files and
/// $CREDENTIALS_DIRECTORY are never opened, only the form of each
/// reference is checked), no CA file, no database (--db is ignored and
/// nothing is created), no network. So it runs where none of them exist,
/// as in a build sandbox.
///
/// Prints `configuration OK: FILE` (with --json, `{"file": FILE}`, null for
/// the embedded defaults). Exit codes: 0 the configuration is good; 2 it
/// is wrong, or the file named cannot be read: the error names the file,
/// the key and what was expected.
#[derive(clap::Args, Debug)]
pub struct CheckConfigCommand {}

impl CheckConfigCommand {
    /// Runs the command; called before the database would be opened.
    pub fn execute(&self, common: &CommonArgs, json: bool) -> anyhow::Result<()> {
        let sources = secdesk::mail::Source::ALL.map(secdesk::mail::Source::as_str);
        let checked = config::check_config(common.config.as_deref(), &sources)?;
        if json {
            cli::print_json(&checked)
        } else {
            cli::print(&checked.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn check_config_takes_the_common_flags_and_nothing_else() {
        assert!(
            Cli::try_parse_from(["secdesk", "check-config", "--config", "c.json"]).is_ok(),
            "check-config --config c.json"
        );
        assert!(
            Cli::try_parse_from(["secdesk", "check-config", "c.json"]).is_err(),
            "check-config c.json"
        );
    }
}
