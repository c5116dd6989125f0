-- 14: what changed for the public site since its last render (issue 17).
-- Every write to what an issue's public pages are made of moves that
-- issue's `seq` past every other: `secdesk-site-render` remembers the
-- highest `seq` it rendered and next time reads only the issues above it,
-- instead of every issue. Triggers rather than code in each write path, so
-- that no path (ingest, the CLI, merges, fix tracking) can forget one.
-- Issues with no row here have not changed since this migration; they
-- count as `seq` 0. Tables left out on purpose (history, signals,
-- issue_advisories, advisory_issues, fix_rejections) are not shown on the
-- site or are compared whole each run; src/store/site.rs checks the list.
--
-- A bump is an UPDATE, then an INSERT only when the issue has no row: an
-- `INSERT OR REPLACE` here would take the conflict policy of the statement
-- that fired the trigger, and under ingest's `INSERT OR IGNORE` a stamp
-- would silently not move.
CREATE TABLE site_stamps (
    issue_id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL
);
CREATE INDEX site_stamps_seq ON site_stamps(seq);

CREATE TRIGGER site_issues_insert AFTER INSERT ON issues BEGIN
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = NEW.id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT NEW.id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE NEW.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = NEW.id);
END;
-- An issue's number never changes.
CREATE TRIGGER site_issues_update AFTER UPDATE ON issues BEGIN
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = NEW.id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT NEW.id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE NEW.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = NEW.id);
END;
CREATE TRIGGER site_issues_delete AFTER DELETE ON issues BEGIN
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = OLD.id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT OLD.id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE OLD.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = OLD.id);
END;
CREATE TRIGGER site_messages_insert AFTER INSERT ON messages BEGIN
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = NEW.issue_id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT NEW.issue_id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE NEW.issue_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = NEW.issue_id);
END;
CREATE TRIGGER site_messages_update AFTER UPDATE OF issue_id, source, advisory_id, subject, date, received_at, message_id, copy_of ON messages BEGIN
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = OLD.issue_id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT OLD.issue_id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE OLD.issue_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = OLD.issue_id);
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = NEW.issue_id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT NEW.issue_id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE NEW.issue_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = NEW.issue_id);
END;
CREATE TRIGGER site_messages_delete AFTER DELETE ON messages BEGIN
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = OLD.issue_id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT OLD.issue_id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE OLD.issue_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = OLD.issue_id);
END;
CREATE TRIGGER site_issue_cves_insert AFTER INSERT ON issue_cves BEGIN
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = NEW.issue_id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT NEW.issue_id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE NEW.issue_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = NEW.issue_id);
END;
CREATE TRIGGER site_issue_cves_update AFTER UPDATE ON issue_cves BEGIN
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = OLD.issue_id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT OLD.issue_id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE OLD.issue_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = OLD.issue_id);
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = NEW.issue_id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT NEW.issue_id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE NEW.issue_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = NEW.issue_id);
END;
CREATE TRIGGER site_issue_cves_delete AFTER DELETE ON issue_cves BEGIN
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = OLD.issue_id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT OLD.issue_id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE OLD.issue_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = OLD.issue_id);
END;
CREATE TRIGGER site_issue_packages_insert AFTER INSERT ON issue_packages BEGIN
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = NEW.issue_id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT NEW.issue_id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE NEW.issue_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = NEW.issue_id);
END;
CREATE TRIGGER site_issue_packages_update AFTER UPDATE ON issue_packages BEGIN
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = OLD.issue_id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT OLD.issue_id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE OLD.issue_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = OLD.issue_id);
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = NEW.issue_id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT NEW.issue_id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE NEW.issue_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = NEW.issue_id);
END;
CREATE TRIGGER site_issue_packages_delete AFTER DELETE ON issue_packages BEGIN
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = OLD.issue_id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT OLD.issue_id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE OLD.issue_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = OLD.issue_id);
END;
CREATE TRIGGER site_related_insert AFTER INSERT ON related BEGIN
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = NEW.a;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT NEW.a, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE NEW.a IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = NEW.a);
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = NEW.b;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT NEW.b, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE NEW.b IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = NEW.b);
END;
CREATE TRIGGER site_related_update AFTER UPDATE ON related BEGIN
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = OLD.a;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT OLD.a, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE OLD.a IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = OLD.a);
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = OLD.b;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT OLD.b, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE OLD.b IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = OLD.b);
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = NEW.a;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT NEW.a, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE NEW.a IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = NEW.a);
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = NEW.b;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT NEW.b, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE NEW.b IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = NEW.b);
END;
CREATE TRIGGER site_related_delete AFTER DELETE ON related BEGIN
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = OLD.a;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT OLD.a, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE OLD.a IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = OLD.a);
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = OLD.b;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT OLD.b, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE OLD.b IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = OLD.b);
END;
CREATE TRIGGER site_release_status_insert AFTER INSERT ON release_status BEGIN
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = NEW.issue_id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT NEW.issue_id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE NEW.issue_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = NEW.issue_id);
END;
CREATE TRIGGER site_release_status_update AFTER UPDATE ON release_status BEGIN
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = OLD.issue_id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT OLD.issue_id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE OLD.issue_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = OLD.issue_id);
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = NEW.issue_id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT NEW.issue_id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE NEW.issue_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = NEW.issue_id);
END;
CREATE TRIGGER site_release_status_delete AFTER DELETE ON release_status BEGIN
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = OLD.issue_id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT OLD.issue_id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE OLD.issue_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = OLD.issue_id);
END;
CREATE TRIGGER site_notes_insert AFTER INSERT ON notes BEGIN
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = NEW.issue_id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT NEW.issue_id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE NEW.issue_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = NEW.issue_id);
END;
CREATE TRIGGER site_notes_update AFTER UPDATE ON notes BEGIN
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = OLD.issue_id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT OLD.issue_id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE OLD.issue_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = OLD.issue_id);
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = NEW.issue_id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT NEW.issue_id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE NEW.issue_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = NEW.issue_id);
END;
CREATE TRIGGER site_notes_delete AFTER DELETE ON notes BEGIN
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = OLD.issue_id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT OLD.issue_id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE OLD.issue_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = OLD.issue_id);
END;
-- Fix tracking rechecks every channel hourly (`checked_at`); only what the
-- site shows counts as a change.
CREATE TRIGGER site_fix_channels_insert AFTER INSERT ON fix_channels BEGIN
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = NEW.issue_id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT NEW.issue_id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE NEW.issue_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = NEW.issue_id);
END;
CREATE TRIGGER site_fix_channels_update AFTER UPDATE OF issue_id, release, commit_id, contains_fix, since ON fix_channels BEGIN
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = OLD.issue_id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT OLD.issue_id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE OLD.issue_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = OLD.issue_id);
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = NEW.issue_id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT NEW.issue_id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE NEW.issue_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = NEW.issue_id);
END;
CREATE TRIGGER site_fix_channels_delete AFTER DELETE ON fix_channels BEGIN
    UPDATE site_stamps SET seq = (SELECT max(seq) + 1 FROM site_stamps) WHERE issue_id = OLD.issue_id;
    INSERT INTO site_stamps (issue_id, seq)
    SELECT OLD.issue_id, (SELECT coalesce(max(seq), 0) + 1 FROM site_stamps)
    WHERE OLD.issue_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site_stamps WHERE issue_id = OLD.issue_id);
END;
