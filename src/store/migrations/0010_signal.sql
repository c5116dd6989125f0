-- 10: the Bat-Signal. A signal, and what responders did on it. Who was
-- paged when is not stored: it follows from the configuration, these
-- events and the instant (`signal::plan`). Private contacts are never
-- stored: a page's outbox row names only the member whose contacts the
-- delivery adds to the envelope (`contacts_of`).
CREATE TABLE signals (
    id INTEGER PRIMARY KEY,
    issue_id INTEGER NOT NULL REFERENCES issues(id),
    raised_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    raised_at TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT,
    summary TEXT
);
CREATE INDEX signals_issue ON signals(issue_id);
CREATE TABLE signal_events (
    id INTEGER PRIMARY KEY,
    signal_id INTEGER NOT NULL REFERENCES signals(id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    member TEXT NOT NULL,
    role TEXT,
    actor TEXT NOT NULL,
    via TEXT NOT NULL
);
CREATE INDEX signal_events_signal ON signal_events(signal_id, id);
ALTER TABLE outbox ADD COLUMN contacts_of TEXT;
