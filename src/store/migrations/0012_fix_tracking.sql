-- 12: fix tracking from the package repository (issue 16). Per branch the
-- head scanned last (NULL after a force-push: the next run rescans from
-- `fixes.since`); the commits that name a CVE or carry a cherry-pick
-- trailer, each once; which scanned branch holds which of them; the CVEs
-- each names (in its message or an added file's name); proposals a person
-- rejected (never proposed again); and per release fix, whether its
-- channel branch contains it and since which scan.
CREATE TABLE fix_heads (
    branch TEXT PRIMARY KEY,
    head TEXT,
    scanned_at TEXT NOT NULL
);
CREATE TABLE fix_commits (
    commit_id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    committed_at TEXT NOT NULL,
    picked_from TEXT
);
CREATE INDEX fix_commits_picked_from ON fix_commits(picked_from);
CREATE TABLE fix_commit_branches (
    commit_id TEXT NOT NULL REFERENCES fix_commits(commit_id),
    branch TEXT NOT NULL,
    PRIMARY KEY (commit_id, branch)
) WITHOUT ROWID;
CREATE INDEX fix_commit_branches_branch ON fix_commit_branches(branch);
CREATE TABLE fix_commit_cves (
    commit_id TEXT NOT NULL REFERENCES fix_commits(commit_id),
    cve TEXT NOT NULL,
    PRIMARY KEY (cve, commit_id)
) WITHOUT ROWID;
CREATE TABLE fix_rejections (
    issue_id INTEGER NOT NULL REFERENCES issues(id),
    release TEXT NOT NULL,
    commit_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (issue_id, release, commit_id)
);
CREATE TABLE fix_channels (
    issue_id INTEGER NOT NULL REFERENCES issues(id),
    release TEXT NOT NULL,
    commit_id TEXT NOT NULL,
    branch TEXT NOT NULL,
    committed_at TEXT,
    contains_fix INTEGER NOT NULL DEFAULT 0,
    since TEXT,
    checked_at TEXT NOT NULL,
    PRIMARY KEY (issue_id, release)
);
