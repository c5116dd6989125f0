-- 1: messages, issues and their history.
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
