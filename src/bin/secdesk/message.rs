//! `secdesk message REF`: one stored message, decoded or as its bytes.

use crate::App;
use secdesk::app::message::{MessageRef, message, raw};
use secdesk::cli::UsageError;
use std::io::Write;

/// Print one stored message: From, Date, Subject, Message-ID, List-Id,
/// where secdesk keeps it and its parse problems, then the text of every
/// readable part, decoded.
///
/// Control characters in the mail (terminal escape sequences, lone
/// carriage returns) and bidirectional overrides are printed as visible
/// escapes such as \x1b, so a message cannot drive the terminal; --json
/// gives the same decoded fields. --raw prints the bytes exactly as
/// received instead, for a mail program or a file.
///
/// Exit codes: 0 printed; 1 no stored message has that number or
/// Message-ID; 2 the request is wrong (--raw with --json).
#[derive(clap::Args, Debug)]
pub struct MessageShowCommand {
    /// The message's number (as `secdesk show` prints it at the start of
    /// each timeline row) or its Message-ID, with or without the angle
    /// brackets. A Message-ID names its first copy; each copy has its own
    /// number.
    #[arg(value_name = "REF", value_parser = MessageRef::parse)]
    reference: MessageRef,

    /// Print the message's bytes exactly as received (headers included,
    /// whatever their encoding) instead of the decoded text. Not with
    /// --json.
    #[arg(long)]
    raw: bool,
}

impl MessageShowCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let missing = || anyhow::anyhow!("no stored message has {}", self.reference);
        if self.raw {
            if app.json {
                return Err(UsageError(
                    "--raw prints the message's bytes as received and has no --json form".into(),
                )
                .into());
            }
            let bytes = raw(&mut app.ctx.desk(), &self.reference)?.ok_or_else(missing)?;
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)?;
            out.flush()?;
            return Ok(());
        }
        let shown = message(&mut app.ctx.desk(), &self.reference)?.ok_or_else(missing)?;
        app.emit(&shown)
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn message_takes_a_number_or_a_message_id() {
        for args in [
            &["secdesk", "message", "12"][..],
            &["secdesk", "message", "<a@b>"],
            &["secdesk", "message", "a@b", "--raw"],
        ] {
            let c = Cli::try_parse_from(args);
            assert!(c.is_ok(), "{args:?}: {c:?}");
        }
        assert!(Cli::try_parse_from(["secdesk", "message", "<>"]).is_err());
    }
}
