-- 6: indexes for the timer jobs' queries on large databases (measured
-- with scripts/bench report and idle on 100,000 issues).
CREATE INDEX issues_open_created ON issues(created_at) WHERE state IN ('new', 'claimed', 'triaged');
CREATE INDEX issues_claimed_by ON issues(claimed_by, state);
CREATE INDEX issues_fixed_at ON issues(fixed_at);
CREATE INDEX issues_closed_at ON issues(closed_at);
CREATE INDEX history_action_at ON history(action, at);
