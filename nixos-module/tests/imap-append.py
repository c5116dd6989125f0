"""Appends the message on standard input to an IMAP mailbox (NixOS VM test).

usage: imap-append.py PORT USER PASSWORD_FILE MAILBOX < message.eml

Connects to 127.0.0.1:PORT without TLS, logs in with the password read from
PASSWORD_FILE, creates MAILBOX when missing, appends the message, and prints
how many messages the mailbox then holds.
"""

import imaplib
import sys


def main():
    port, user, password_file, mailbox = sys.argv[1:]
    with open(password_file, encoding="utf-8") as f:
        password = f.read().rstrip("\r\n")
    message = sys.stdin.buffer.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    with imaplib.IMAP4("127.0.0.1", int(port)) as imap:
        imap.login(user, password)
        if mailbox.upper() != "INBOX":
            imap.create(mailbox)  # fails harmlessly when it exists
        status, detail = imap.append(mailbox, None, None, message)
        if status != "OK":
            sys.exit(f"imap-append: APPEND to {mailbox} failed: {detail}")
        status, count = imap.select(mailbox, readonly=True)
        print(f"imap-append: {mailbox} holds {count[0].decode()} message(s)")


if __name__ == "__main__":
    main()
