-- 7: further copies of a message: the same Message-ID with other bytes,
-- such as a cross-post that came through a second list. A copy is a row of
-- its own in messages (with its bytes, CVEs, source and date) that points
-- at the first copy with copy_of and says which copy it is. Its message_id
-- column holds a key no parsed Message-ID can have (the Message-ID, a line
-- feed, `copy N`), so the first copy keeps the unique Message-ID that
-- thread lookups use. Rows stored before this migration are first copies.
ALTER TABLE messages ADD COLUMN copy_of INTEGER REFERENCES messages(id);
ALTER TABLE messages ADD COLUMN copy INTEGER NOT NULL DEFAULT 1;
CREATE INDEX messages_copy_of ON messages(copy_of) WHERE copy_of IS NOT NULL;
