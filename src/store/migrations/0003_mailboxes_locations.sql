-- 3: IMAP cursors and health per mailbox, and where each message lies
-- on the server (for mirroring claims and closures back).
CREATE TABLE mailboxes (
    account TEXT NOT NULL,
    mailbox TEXT NOT NULL,
    uidvalidity INTEGER,
    last_uid INTEGER NOT NULL DEFAULT 0,
    last_attempt TEXT,
    last_success TEXT,
    last_error TEXT,
    fetched INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account, mailbox)
) WITHOUT ROWID;

CREATE TABLE message_locations (
    message_id INTEGER NOT NULL REFERENCES messages(id),
    account TEXT NOT NULL,
    mailbox TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid INTEGER NOT NULL,
    seen INTEGER NOT NULL DEFAULT 0,
    archived INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account, mailbox, uidvalidity, uid)
) WITHOUT ROWID;
CREATE INDEX message_locations_message ON message_locations(message_id);
