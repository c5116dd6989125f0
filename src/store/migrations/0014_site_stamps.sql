-- 14: what changed for the public site since its last render (issue 17).
-- `site_seq.n` is an epoch: `secdesk-site-render` moves it on at the start
-- of every render, then reads. Every write to what an issue's public pages
-- are made of stamps the issue with the current epoch, so a render needs
-- only the issues stamped after the epoch the last render began, instead
-- of every issue. Triggers rather than code in each write path, so that no
-- path (ingest, the CLI, merges, fix tracking) can forget one. Tables left
-- out on purpose (history, signals, issue_advisories, advisory_issues,
-- fix_rejections) are not shown on the site or are compared whole each
-- run; src/store/site.rs checks the list.
--
-- A stamp is one UPDATE of the issue's own row, which the writing
-- statement has just touched, and only the first change of an issue in an
-- epoch writes; the others find the stamp current and write nothing
-- (ingest's hot path touches an issue several times per message). There
-- is no index on `site_seq`: a render scans the column. Issues are never
-- deleted (other tables refer to them), so `issues` has no delete trigger.
ALTER TABLE issues ADD COLUMN site_seq INTEGER NOT NULL DEFAULT 0;
CREATE TABLE site_seq (n INTEGER NOT NULL);
INSERT INTO site_seq (n) VALUES (1);

-- The stamp's own update does not count again.
CREATE TRIGGER site_issues_update AFTER UPDATE ON issues
WHEN NEW.site_seq = OLD.site_seq BEGIN
    UPDATE issues SET site_seq = (SELECT n FROM site_seq)
    WHERE id = NEW.id AND site_seq <> (SELECT n FROM site_seq);
END;
CREATE TRIGGER site_issues_insert AFTER INSERT ON issues BEGIN
    UPDATE issues SET site_seq = (SELECT n FROM site_seq)
    WHERE id = NEW.id AND site_seq <> (SELECT n FROM site_seq);
END;

-- Mail not (yet) on an issue changes no page.
CREATE TRIGGER site_messages_insert AFTER INSERT ON messages
WHEN NEW.issue_id IS NOT NULL BEGIN
    UPDATE issues SET site_seq = (SELECT n FROM site_seq)
    WHERE id = NEW.issue_id AND site_seq <> (SELECT n FROM site_seq);
END;
CREATE TRIGGER site_messages_update AFTER UPDATE OF issue_id, source, advisory_id, subject, date, received_at, message_id, copy_of ON messages BEGIN
    UPDATE issues SET site_seq = (SELECT n FROM site_seq)
    WHERE id IN (OLD.issue_id, NEW.issue_id) AND site_seq <> (SELECT n FROM site_seq);
END;
CREATE TRIGGER site_messages_delete AFTER DELETE ON messages
WHEN OLD.issue_id IS NOT NULL BEGIN
    UPDATE issues SET site_seq = (SELECT n FROM site_seq)
    WHERE id = OLD.issue_id AND site_seq <> (SELECT n FROM site_seq);
END;

CREATE TRIGGER site_issue_cves_insert AFTER INSERT ON issue_cves BEGIN
    UPDATE issues SET site_seq = (SELECT n FROM site_seq)
    WHERE id = NEW.issue_id AND site_seq <> (SELECT n FROM site_seq);
END;
CREATE TRIGGER site_issue_cves_update AFTER UPDATE ON issue_cves BEGIN
    UPDATE issues SET site_seq = (SELECT n FROM site_seq)
    WHERE id IN (OLD.issue_id, NEW.issue_id) AND site_seq <> (SELECT n FROM site_seq);
END;
CREATE TRIGGER site_issue_cves_delete AFTER DELETE ON issue_cves BEGIN
    UPDATE issues SET site_seq = (SELECT n FROM site_seq)
    WHERE id = OLD.issue_id AND site_seq <> (SELECT n FROM site_seq);
END;

CREATE TRIGGER site_issue_packages_insert AFTER INSERT ON issue_packages BEGIN
    UPDATE issues SET site_seq = (SELECT n FROM site_seq)
    WHERE id = NEW.issue_id AND site_seq <> (SELECT n FROM site_seq);
END;
CREATE TRIGGER site_issue_packages_update AFTER UPDATE ON issue_packages BEGIN
    UPDATE issues SET site_seq = (SELECT n FROM site_seq)
    WHERE id IN (OLD.issue_id, NEW.issue_id) AND site_seq <> (SELECT n FROM site_seq);
END;
CREATE TRIGGER site_issue_packages_delete AFTER DELETE ON issue_packages BEGIN
    UPDATE issues SET site_seq = (SELECT n FROM site_seq)
    WHERE id = OLD.issue_id AND site_seq <> (SELECT n FROM site_seq);
END;

CREATE TRIGGER site_related_insert AFTER INSERT ON related BEGIN
    UPDATE issues SET site_seq = (SELECT n FROM site_seq)
    WHERE id IN (NEW.a, NEW.b) AND site_seq <> (SELECT n FROM site_seq);
END;
CREATE TRIGGER site_related_update AFTER UPDATE ON related BEGIN
    UPDATE issues SET site_seq = (SELECT n FROM site_seq)
    WHERE id IN (OLD.a, OLD.b, NEW.a, NEW.b) AND site_seq <> (SELECT n FROM site_seq);
END;
CREATE TRIGGER site_related_delete AFTER DELETE ON related BEGIN
    UPDATE issues SET site_seq = (SELECT n FROM site_seq)
    WHERE id IN (OLD.a, OLD.b) AND site_seq <> (SELECT n FROM site_seq);
END;

CREATE TRIGGER site_release_status_insert AFTER INSERT ON release_status BEGIN
    UPDATE issues SET site_seq = (SELECT n FROM site_seq)
    WHERE id = NEW.issue_id AND site_seq <> (SELECT n FROM site_seq);
END;
CREATE TRIGGER site_release_status_update AFTER UPDATE ON release_status BEGIN
    UPDATE issues SET site_seq = (SELECT n FROM site_seq)
    WHERE id IN (OLD.issue_id, NEW.issue_id) AND site_seq <> (SELECT n FROM site_seq);
END;
CREATE TRIGGER site_release_status_delete AFTER DELETE ON release_status BEGIN
    UPDATE issues SET site_seq = (SELECT n FROM site_seq)
    WHERE id = OLD.issue_id AND site_seq <> (SELECT n FROM site_seq);
END;

CREATE TRIGGER site_notes_insert AFTER INSERT ON notes BEGIN
    UPDATE issues SET site_seq = (SELECT n FROM site_seq)
    WHERE id = NEW.issue_id AND site_seq <> (SELECT n FROM site_seq);
END;
CREATE TRIGGER site_notes_update AFTER UPDATE ON notes BEGIN
    UPDATE issues SET site_seq = (SELECT n FROM site_seq)
    WHERE id IN (OLD.issue_id, NEW.issue_id) AND site_seq <> (SELECT n FROM site_seq);
END;
CREATE TRIGGER site_notes_delete AFTER DELETE ON notes BEGIN
    UPDATE issues SET site_seq = (SELECT n FROM site_seq)
    WHERE id = OLD.issue_id AND site_seq <> (SELECT n FROM site_seq);
END;

-- Fix tracking rechecks every channel hourly (`checked_at`); only what the
-- site shows counts as a change.
CREATE TRIGGER site_fix_channels_insert AFTER INSERT ON fix_channels BEGIN
    UPDATE issues SET site_seq = (SELECT n FROM site_seq)
    WHERE id = NEW.issue_id AND site_seq <> (SELECT n FROM site_seq);
END;
CREATE TRIGGER site_fix_channels_update AFTER UPDATE OF issue_id, release, commit_id, contains_fix, since ON fix_channels BEGIN
    UPDATE issues SET site_seq = (SELECT n FROM site_seq)
    WHERE id IN (OLD.issue_id, NEW.issue_id) AND site_seq <> (SELECT n FROM site_seq);
END;
CREATE TRIGGER site_fix_channels_delete AFTER DELETE ON fix_channels BEGIN
    UPDATE issues SET site_seq = (SELECT n FROM site_seq)
    WHERE id = OLD.issue_id AND site_seq <> (SELECT n FROM site_seq);
END;
