-- 13: the public site (issue 17). A note is private unless its author
-- marks it public (`secdesk note ID --public TEXT`); only public notes are
-- shown on the static site.
ALTER TABLE notes ADD COLUMN public INTEGER NOT NULL DEFAULT 0;
