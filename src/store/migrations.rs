//! Numbered schema migrations, applied at open.
//!
//! `PRAGMA user_version` holds the number of the last migration applied.
//! Each migration runs inside one `BEGIN IMMEDIATE` transaction that first
//! re-reads `user_version`, so two programs opening a fresh database at the
//! same moment cannot both apply it: the second waits for the write lock,
//! then sees the new version and does nothing.
//!
//! Never edit a migration that has shipped; add the next number.

/// The migrations, in order; migration `n` is `MIGRATIONS[n - 1]`.
pub const MIGRATIONS: &[&str] = &[
    // 1: messages, issues and their history.
    r#"
CREATE TABLE issues (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'new',
    severity TEXT,
    severity_set_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    claimed_by TEXT,
    claimed_at TEXT,
    first_claimed_at TEXT,
    triaged_at TEXT,
    fixed_at TEXT,
    closed_at TEXT,
    dismiss_reason TEXT,
    dismiss_text TEXT,
    announced_at TEXT,
    merged_into INTEGER REFERENCES issues(id)
);
CREATE INDEX issues_state ON issues(state);
CREATE INDEX issues_created ON issues(created_at);

CREATE TABLE issue_cves (
    cve TEXT PRIMARY KEY,
    issue_id INTEGER NOT NULL REFERENCES issues(id)
) WITHOUT ROWID;
CREATE INDEX issue_cves_issue ON issue_cves(issue_id);

CREATE TABLE issue_packages (
    issue_id INTEGER NOT NULL REFERENCES issues(id),
    package TEXT NOT NULL,
    PRIMARY KEY (issue_id, package)
) WITHOUT ROWID;

CREATE TABLE related (
    a INTEGER NOT NULL REFERENCES issues(id),
    b INTEGER NOT NULL REFERENCES issues(id),
    PRIMARY KEY (a, b),
    CHECK (a < b)
) WITHOUT ROWID;
CREATE INDEX related_b ON related(b);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    issue_id INTEGER REFERENCES issues(id),
    source TEXT NOT NULL,
    advisory_id TEXT,
    subject TEXT NOT NULL,
    sender TEXT NOT NULL,
    date TEXT,
    received_at TEXT NOT NULL,
    is_reply INTEGER NOT NULL,
    severity_hint TEXT,
    problems TEXT NOT NULL DEFAULT '',
    origin TEXT NOT NULL,
    size INTEGER NOT NULL
);
CREATE INDEX messages_issue ON messages(issue_id);
CREATE INDEX messages_received ON messages(received_at);

-- Kept apart so that scans of messages never page through the bytes.
CREATE TABLE message_raw (
    message_id INTEGER PRIMARY KEY REFERENCES messages(id),
    raw BLOB NOT NULL
);

CREATE TABLE message_cves (
    message_id INTEGER NOT NULL REFERENCES messages(id),
    cve TEXT NOT NULL,
    PRIMARY KEY (message_id, cve)
) WITHOUT ROWID;

CREATE TABLE message_refs (
    message_id INTEGER NOT NULL REFERENCES messages(id),
    ref TEXT NOT NULL,
    PRIMARY KEY (message_id, ref)
) WITHOUT ROWID;
CREATE INDEX message_refs_ref ON message_refs(ref);

CREATE TABLE history (
    id INTEGER PRIMARY KEY,
    issue_id INTEGER NOT NULL REFERENCES issues(id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX history_issue ON history(issue_id);
CREATE INDEX history_at ON history(at);

CREATE TABLE release_status (
    issue_id INTEGER NOT NULL REFERENCES issues(id),
    release TEXT NOT NULL,
    status TEXT NOT NULL,
    ref TEXT,
    reason TEXT,
    PRIMARY KEY (issue_id, release)
) WITHOUT ROWID;

CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    issue_id INTEGER NOT NULL REFERENCES issues(id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX notes_issue ON notes(issue_id);
"#,
    // 2: who stays responsible after a hand-over, and where a fix was announced.
    r#"
ALTER TABLE issues ADD COLUMN responsible TEXT;
ALTER TABLE issues ADD COLUMN announce_ref TEXT;
"#,
    // 3: IMAP cursors and health per mailbox, and where each message lies
    // on the server (for mirroring claims and closures back).
    r#"
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
"#,
    // 4: the outbox: every mail is a row with a unique key before it is sent.
    r#"
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sender TEXT NOT NULL,
    recipients TEXT NOT NULL,
    subject TEXT NOT NULL,
    message BLOB NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    sent_at TEXT
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
"#,
    // 5: changes people make to the rota, and the notices they trigger.
    r#"
CREATE TABLE rota_changes (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    date_a TEXT,
    date_b TEXT,
    member TEXT,
    made_by TEXT NOT NULL,
    made_at TEXT NOT NULL,
    undone_by TEXT,
    undone_at TEXT
);
"#,
    // 6: indexes for the timer jobs' queries on large databases (measured
    // with scripts/bench report and idle on 100,000 issues).
    r#"
CREATE INDEX issues_open_created ON issues(created_at) WHERE state IN ('new', 'claimed', 'triaged');
CREATE INDEX issues_claimed_by ON issues(claimed_by, state);
CREATE INDEX issues_fixed_at ON issues(fixed_at);
CREATE INDEX issues_closed_at ON issues(closed_at);
CREATE INDEX history_action_at ON history(action, at);
"#,
];
