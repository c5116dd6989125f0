-- 11: advisories. A draft (its number is the ADV the CLI takes before an
-- id is given), the issues it announces, its reviews, and each approved
-- revision with the advisory's content frozen as JSON, so rendering is
-- the same bytes even if the tracker changes later. Ids are counted per
-- year and given at first approval; a number once given is never reused.
CREATE TABLE advisories (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    edits INTEGER NOT NULL DEFAULT 0,
    advisory_id TEXT UNIQUE,
    published_url TEXT,
    published_at TEXT,
    abandoned_at TEXT
);
CREATE TABLE advisory_issues (
    advisory INTEGER NOT NULL REFERENCES advisories(id),
    issue_id INTEGER NOT NULL REFERENCES issues(id),
    PRIMARY KEY (advisory, issue_id)
);
CREATE TABLE advisory_reviews (
    id INTEGER PRIMARY KEY,
    advisory INTEGER NOT NULL REFERENCES advisories(id),
    at TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    verdict TEXT NOT NULL,
    text TEXT,
    edit INTEGER NOT NULL
);
CREATE INDEX advisory_reviews_advisory ON advisory_reviews(advisory, id);
CREATE TABLE advisory_revisions (
    advisory INTEGER NOT NULL REFERENCES advisories(id),
    revision INTEGER NOT NULL,
    edit INTEGER NOT NULL,
    approved_by TEXT NOT NULL,
    approved_at TEXT NOT NULL,
    summary TEXT NOT NULL,
    content TEXT NOT NULL,
    rendered_at TEXT,
    PRIMARY KEY (advisory, revision)
);
CREATE TABLE advisory_id_counter (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);
