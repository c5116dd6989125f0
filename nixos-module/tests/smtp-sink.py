"""The SMTP server of the NixOS VM test (basic.nix).

Listens on 127.0.0.1:PORT, requires AUTH PLAIN or LOGIN as USER with the
password in PASSWORD_FILE (read at start, so the password never enters the
Nix store), and stores every accepted message in the Maildir MAILDIR, where
the test script looks for the triage report. Plain text, no TLS: it serves
loopback only.

usage: smtp-sink.py PORT USER PASSWORD_FILE MAILDIR
"""

import signal
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword


def main():
    port, user, password_file, maildir = sys.argv[1:]
    with open(password_file, encoding="utf-8") as f:
        password = f.read().rstrip("\r\n")

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode("utf-8", "replace") == user
            and auth_data.password.decode("utf-8", "replace") == password
        )
        return AuthResult(success=ok)

    # Blocked before the server thread starts, so that it inherits the mask
    # and the signals wait for sigwait below.
    stop_signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    controller = Controller(
        Mailbox(maildir),
        hostname="127.0.0.1",
        port=int(port),
        authenticator=authenticator,
        auth_required=True,
        # Loopback only; the client under test speaks plain SMTP here.
        auth_require_tls=False,
    )
    controller.start()
    print(f"smtp-sink: listening on 127.0.0.1:{port}, storing in {maildir}", flush=True)
    signal.sigwait(stop_signals)
    controller.stop()


if __name__ == "__main__":
    main()
