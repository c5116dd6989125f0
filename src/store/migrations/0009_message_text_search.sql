-- 9: full-text search over stored mail, for `secdesk issues --search`: the
-- subject and the decoded text of every stored message (each copy its own
-- row), keyed by the messages row id. Contentless: the text is not kept a
-- second time (message_raw holds the bytes), only the index. An issue merge
-- moves messages, not their index rows, so search follows merges without
-- writing here. The store adds a row with every message it stores; rows
-- for messages stored before this migration are added by the step that
-- runs with it (store::migrations::index_stored_messages), since decoding
-- MIME needs the parser, not SQL.
-- No column sizes: nothing ranks by them.
CREATE VIRTUAL TABLE message_text USING fts5(
    subject, body, content = '', columnsize = 0,
    tokenize = 'unicode61 remove_diacritics 2'
);
-- Merge the index's segments when 16 (not 4) wait at a level: a third less
-- indexing work in a backfill (scripts/bench ingest), searches as fast.
INSERT INTO message_text (message_text, rank) VALUES ('automerge', 16);

-- `secdesk issues --package NAME` (package names are stored lower-case).
CREATE INDEX issue_packages_package ON issue_packages(package);

-- `secdesk show` lists the issues merged into the one shown; without this
-- it read every issue (10 ms of a 20 ms show on 100,000 issues, measured
-- with scripts/bench lookup). Only merged issues are in it.
CREATE INDEX issues_merged_into ON issues(merged_into) WHERE merged_into IS NOT NULL;
