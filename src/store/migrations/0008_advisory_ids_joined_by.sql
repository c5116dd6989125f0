-- 8: advisory ids correlate like CVE ids (one advisory id belongs to one
-- issue), and each message records why it joined its issue.
CREATE TABLE issue_advisories (
    advisory_id TEXT PRIMARY KEY,
    issue_id INTEGER NOT NULL REFERENCES issues(id)
) WITHOUT ROWID;
CREATE INDEX issue_advisories_issue ON issue_advisories(issue_id);

-- Stored messages already carry their advisory id: the first message
-- stored with an id gives it to its issue, as ingest would have.
INSERT OR IGNORE INTO issue_advisories (advisory_id, issue_id)
    SELECT advisory_id, issue_id FROM messages
    WHERE advisory_id IS NOT NULL AND issue_id IS NOT NULL
    ORDER BY id;

-- NULL for messages stored before this migration: why they joined was
-- not recorded.
ALTER TABLE messages ADD COLUMN joined_by TEXT;
