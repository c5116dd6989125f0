-- Bench-only shortcut, used by `scripts/bench report` and `idle` (never by
-- secdesk itself): gives the ingested issues of the big benchmark database
-- the states two months of a team's work would have left, in bulk, instead
-- of some 150,000 `secdesk` calls. It writes what those commands write (see
-- src/store/triage.rs and a `secdesk show` of a worked issue): the issues
-- columns, release_status rows, and the history rows `claimed`,
-- `release-status`, `state`, `dismissed` and `announced` with the same
-- actors and detail texts. The script then works a few hundred of the most
-- recent issues through the real `secdesk` CLI.
--
-- Expects a TEMP table bench(now) holding the benchmark's instant (RFC 3339
-- UTC). Only issues opened more than two days before it, still `new` and
-- not merged are touched. Deterministic: everything follows from the id.
--
-- Of those issues: 45 % stay new (the unclaimed backlog), 10 % are claimed
-- (half with one release checked), 10 % triaged, 7 % fixed, 3 % announced,
-- 25 % dismissed. Claims go round alice, bob and carol; claimed 10 min to
-- 12 h after opening, triaged 30 min to 24 h after that, fixed 1 h to 5 d
-- after that, announced 1 h to 2 d after that (never later than `now`).

BEGIN;

CREATE TEMP TABLE plan AS
SELECT id,
       CASE id % 3 WHEN 0 THEN 'alice' WHEN 1 THEN 'bob' ELSE 'carol' END AS member,
       CASE
         WHEN (id * 37) % 100 < 45 THEN 'new'
         WHEN (id * 37) % 100 < 55 THEN 'claimed'
         WHEN (id * 37) % 100 < 65 THEN 'triaged'
         WHEN (id * 37) % 100 < 72 THEN 'fixed'
         WHEN (id * 37) % 100 < 75 THEN 'announced'
         ELSE 'dismissed'
       END AS bucket,
       created_at,
       NULL AS claimed_at, NULL AS checked_at, NULL AS triaged_at,
       NULL AS fixed_at, NULL AS announced_at, NULL AS dismissed_at,
       'https://github.com/NixOS/nixpkgs/pull/' || (300000 + id) AS pr
FROM issues
WHERE merged_into IS NULL AND state = 'new'
  AND created_at < strftime('%Y-%m-%dT%H:%M:%SZ', (SELECT now FROM bench), '-2 days');
DELETE FROM plan WHERE bucket = 'new';

-- The instants, each from the one before, clamped below `now`.
UPDATE plan SET
  claimed_at = strftime('%Y-%m-%dT%H:%M:%SZ', created_at, '+' || (10 + (id * 13) % 720) || ' minutes'),
  dismissed_at = min(strftime('%Y-%m-%dT%H:%M:%SZ', created_at, '+' || (5 + (id * 23) % 2880) || ' minutes'),
                     strftime('%Y-%m-%dT%H:%M:%SZ', (SELECT now FROM bench), '-1 minutes'));
UPDATE plan SET
  checked_at = strftime('%Y-%m-%dT%H:%M:%SZ', claimed_at, '+20 minutes'),
  triaged_at = strftime('%Y-%m-%dT%H:%M:%SZ', claimed_at, '+' || (30 + (id * 17) % 1440) || ' minutes');
UPDATE plan SET
  fixed_at = min(strftime('%Y-%m-%dT%H:%M:%SZ', triaged_at, '+' || (60 + (id * 19) % 7200) || ' minutes'),
                 strftime('%Y-%m-%dT%H:%M:%SZ', (SELECT now FROM bench), '-10 minutes'));
UPDATE plan SET
  announced_at = min(strftime('%Y-%m-%dT%H:%M:%SZ', fixed_at, '+' || (60 + (id * 7) % 2880) || ' minutes'),
                     strftime('%Y-%m-%dT%H:%M:%SZ', (SELECT now FROM bench), '-5 minutes'));
UPDATE plan SET checked_at = NULL WHERE bucket = 'claimed' AND id % 2 = 1;
UPDATE plan SET triaged_at = NULL WHERE bucket IN ('claimed', 'dismissed');
UPDATE plan SET fixed_at = NULL WHERE bucket IN ('claimed', 'triaged', 'dismissed');
UPDATE plan SET announced_at = NULL WHERE bucket <> 'announced';
UPDATE plan SET claimed_at = NULL WHERE bucket = 'dismissed';
UPDATE plan SET dismissed_at = NULL WHERE bucket <> 'dismissed';

-- Claims (`secdesk claim ID --as MEMBER`).
UPDATE issues SET
  state = 'claimed', claimed_by = p.member, responsible = p.member,
  claimed_at = p.claimed_at, first_claimed_at = p.claimed_at,
  updated_at = coalesce(p.checked_at, p.claimed_at)
FROM plan p WHERE p.id = issues.id AND p.claimed_at IS NOT NULL;
INSERT INTO history (issue_id, at, actor, action, detail)
SELECT id, claimed_at, member, 'claimed', '' FROM plan WHERE claimed_at IS NOT NULL ORDER BY claimed_at, id;
INSERT INTO history (issue_id, at, actor, action, detail)
SELECT id, claimed_at, member, 'state', 'new → claimed' FROM plan WHERE claimed_at IS NOT NULL ORDER BY claimed_at, id;

-- A claim with one release checked (`secdesk release-status ID 25.05 affected`).
INSERT INTO release_status (issue_id, release, status)
SELECT id, '25.05', 'affected' FROM plan WHERE bucket = 'claimed' AND checked_at IS NOT NULL;
INSERT INTO history (issue_id, at, actor, action, detail)
SELECT id, checked_at, member, 'release-status', '25.05: affected, was unknown'
FROM plan WHERE bucket = 'claimed' AND checked_at IS NOT NULL ORDER BY checked_at, id;

-- Triage: every release gets a status, at least one affected.
INSERT INTO release_status (issue_id, release, status, ref)
SELECT id, '25.05', 'affected', NULL FROM plan WHERE triaged_at IS NOT NULL
UNION ALL
SELECT id, '25.11', CASE WHEN bucket = 'triaged' AND id % 3 = 0 THEN 'not-affected' ELSE 'affected' END, NULL
FROM plan WHERE triaged_at IS NOT NULL
UNION ALL
SELECT id, 'unstable', 'fixed', 'pkg update ' || id FROM plan WHERE triaged_at IS NOT NULL;
INSERT INTO history (issue_id, at, actor, action, detail)
SELECT id, triaged_at, member, 'release-status', '25.05: affected, was unknown'
FROM plan WHERE triaged_at IS NOT NULL ORDER BY triaged_at, id;
INSERT INTO history (issue_id, at, actor, action, detail)
SELECT id, triaged_at, member, 'release-status',
       CASE WHEN bucket = 'triaged' AND id % 3 = 0 THEN '25.11: not-affected, was unknown' ELSE '25.11: affected, was unknown' END
FROM plan WHERE triaged_at IS NOT NULL ORDER BY triaged_at, id;
INSERT INTO history (issue_id, at, actor, action, detail)
SELECT id, triaged_at, member, 'release-status', 'unstable: fixed (pkg update ' || id || '), was unknown'
FROM plan WHERE triaged_at IS NOT NULL ORDER BY triaged_at, id;
INSERT INTO history (issue_id, at, actor, action, detail)
SELECT id, triaged_at, member, 'state', 'claimed → triaged' FROM plan WHERE triaged_at IS NOT NULL ORDER BY triaged_at, id;
UPDATE issues SET state = 'triaged', triaged_at = p.triaged_at, updated_at = p.triaged_at
FROM plan p WHERE p.id = issues.id AND p.triaged_at IS NOT NULL;

-- Fix: the affected releases become fixed with a PR as reference.
UPDATE release_status SET status = 'fixed', ref = p.pr || '#' || release
FROM plan p WHERE p.id = release_status.issue_id AND p.fixed_at IS NOT NULL AND release_status.status = 'affected';
INSERT INTO history (issue_id, at, actor, action, detail)
SELECT id, fixed_at, member, 'release-status', '25.05: fixed (' || pr || '#25.05), was affected'
FROM plan WHERE fixed_at IS NOT NULL ORDER BY fixed_at, id;
INSERT INTO history (issue_id, at, actor, action, detail)
SELECT id, fixed_at, member, 'release-status', '25.11: fixed (' || pr || '#25.11), was affected'
FROM plan WHERE fixed_at IS NOT NULL ORDER BY fixed_at, id;
INSERT INTO history (issue_id, at, actor, action, detail)
SELECT id, fixed_at, member, 'state', 'triaged → fixed' FROM plan WHERE fixed_at IS NOT NULL ORDER BY fixed_at, id;
UPDATE issues SET state = 'fixed', fixed_at = p.fixed_at, closed_at = p.fixed_at, updated_at = p.fixed_at
FROM plan p WHERE p.id = issues.id AND p.fixed_at IS NOT NULL;

-- Announcement (`secdesk announce ID --ref URL`).
INSERT INTO history (issue_id, at, actor, action, detail)
SELECT id, announced_at, member, 'announced', 'https://lists.example.org/advisory/' || id
FROM plan WHERE announced_at IS NOT NULL ORDER BY announced_at, id;
INSERT INTO history (issue_id, at, actor, action, detail)
SELECT id, announced_at, member, 'state', 'fixed → announced' FROM plan WHERE announced_at IS NOT NULL ORDER BY announced_at, id;
UPDATE issues SET state = 'announced', announced_at = p.announced_at,
  announce_ref = 'https://lists.example.org/advisory/' || p.id, updated_at = p.announced_at
FROM plan p WHERE p.id = issues.id AND p.announced_at IS NOT NULL;

-- Dismissals (`secdesk dismiss ID --reason R`) by whoever was on call.
UPDATE plan SET member = CASE (id / 7) % 3 WHEN 0 THEN 'alice' WHEN 1 THEN 'bob' ELSE 'carol' END,
  pr = CASE WHEN id % 10 < 7 THEN 'not-packaged' ELSE 'not-a-vulnerability' END
WHERE dismissed_at IS NOT NULL;
INSERT INTO history (issue_id, at, actor, action, detail)
SELECT id, dismissed_at, member, 'dismissed', pr FROM plan WHERE dismissed_at IS NOT NULL ORDER BY dismissed_at, id;
INSERT INTO history (issue_id, at, actor, action, detail)
SELECT id, dismissed_at, member, 'state', 'new → dismissed' FROM plan WHERE dismissed_at IS NOT NULL ORDER BY dismissed_at, id;
UPDATE issues SET state = 'dismissed', dismiss_reason = p.pr, closed_at = p.dismissed_at, updated_at = p.dismissed_at
FROM plan p WHERE p.id = issues.id AND p.dismissed_at IS NOT NULL;

COMMIT;
