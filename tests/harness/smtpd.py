"""A real SMTP server for secdesk's tests: aiosmtpd (Debian python3-aiosmtpd)
on loopback, filing what it accepts into a Maildir.

It speaks ESMTP with STARTTLS (required; or TLS from the first byte with
--implicit) and AUTH PLAIN/LOGIN (required, only after TLS), like a
submission server on port 587 (or 465), and refuses
recipients in the domain given with --refuse-domain with a permanent 550,
like a server that does not know a mailbox.

Usage: smtpd.py --port P --maildir DIR --cert C --key K --user U
                --password-file F [--refuse-domain D]
"""
import argparse
import asyncio
import mailbox
import signal
import ssl

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, maildir, refuse_domain):
        self.box = mailbox.Maildir(maildir, create=True)
        self.refuse_domain = refuse_domain

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_domain and address.lower().endswith("@" + self.refuse_domain):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = mailbox.MaildirMessage(envelope.original_content)
        msg["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.box.add(msg)
        return "250 Message accepted for delivery"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--maildir", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password-file", required=True)
    p.add_argument("--refuse-domain", default="")
    p.add_argument("--implicit", action="store_true", help="TLS from the first byte (SMTPS) instead of STARTTLS")
    a = p.parse_args()
    password = open(a.password_file).read().strip()

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == a.user
            and auth_data.password.decode() == password
        )
        return AuthResult(success=ok)

    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(a.cert, a.key)
    if a.implicit:
        # aiosmtpd does not know a connection wrapped by the controller is
        # TLS, so it would hide AUTH; the whole connection is TLS here.
        tls_kwargs = dict(ssl_context=tls, auth_require_tls=False)
    else:
        tls_kwargs = dict(tls_context=tls, require_starttls=True, auth_require_tls=True)
    controller = Controller(
        Handler(a.maildir, a.refuse_domain),
        hostname="127.0.0.1",
        port=a.port,
        server_hostname="localhost",
        authenticator=authenticator,
        auth_required=True,
        **tls_kwargs,
    )
    controller.start()
    loop = asyncio.new_event_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    print("ready", flush=True)
    loop.run_until_complete(stop)
    controller.stop()


if __name__ == "__main__":
    main()
