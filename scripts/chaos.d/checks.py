"""The end checks of the chaos run, on the database opened read-only and
on what the servers hold: every server message stored exactly once, every
issue consistent with its history, every outbox key sent exactly once."""
import email.parser
import os
import re
import sqlite3

STATE = re.compile(r"^(\S+) → (\S+)$")


def ro(db):
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    c.execute("PRAGMA query_only = ON")
    return c


def server_messages(dovecot, mailboxes):
    """(mailbox, uidvalidity, uid) of every message Dovecot holds."""
    c = dovecot.client()
    out = set()
    for mb in mailboxes:
        typ, _ = c.select(mb, readonly=True)
        if typ != "OK":
            continue
        uv = int(c.response("UIDVALIDITY")[1][0])
        typ, data = c.uid("SEARCH", None, "ALL")
        for uid in (data[0] or b"").split():
            out.add((mb, uv, int(uid)))
        c.close()
    c.logout()
    return out


def check_messages(db, dovecot, mailboxes, account, delivered):
    """Problems (strings) and figures for 'stored exactly once'."""
    problems = []
    server = server_messages(dovecot, mailboxes)
    con = ro(db)
    rows = con.execute(
        "SELECT mailbox, uidvalidity, uid, message_id FROM message_locations WHERE account = ?",
        (account,)).fetchall()
    stored = {(m, uv, uid): mid for m, uv, uid, mid in rows}
    n_messages = con.execute("SELECT count(*) FROM messages").fetchone()[0]
    missing = server - stored.keys()
    extra = stored.keys() - server
    if len(server) != delivered:
        problems.append(f"the server holds {len(server)} messages, {delivered} were delivered")
    if missing:
        problems.append(f"{len(missing)} server messages not stored, e.g. {sorted(missing)[:5]}")
    if extra:
        problems.append(f"{len(extra)} stored locations the server does not have, e.g. {sorted(extra)[:5]}")
    per_row = {}
    for key, mid in stored.items():
        per_row.setdefault(mid, []).append(key)
    twice = {m: k for m, k in per_row.items() if len(k) > 1}
    if twice:
        problems.append(f"{len(twice)} stored messages stand for several distinct server messages, e.g. {list(twice.items())[:3]}")
    dangling = [mid for mid in per_row if con.execute("SELECT 1 FROM messages WHERE id = ?", (mid,)).fetchone() is None]
    if dangling:
        problems.append(f"{len(dangling)} locations point at no message")
    if n_messages != len(server):
        problems.append(f"the database holds {n_messages} messages for {len(server)} distinct server messages")
    raw_missing = con.execute(
        "SELECT count(*) FROM messages m WHERE NOT EXISTS (SELECT 1 FROM message_raw r WHERE r.message_id = m.id)").fetchone()[0]
    if raw_missing:
        problems.append(f"{raw_missing} messages without their raw bytes")
    unfiled = con.execute(
        "SELECT count(*) FROM messages WHERE issue_id IS NULL AND problems = ''").fetchone()[0]
    con.close()
    return problems, {"server": len(server), "stored": n_messages, "unfiled": unfiled}


def check_issues(db, releases):
    """Replays each issue's history and compares it with the issue row."""
    problems = []
    con = ro(db)
    issues = con.execute("SELECT id, state, claimed_by, merged_into FROM issues").fetchall()
    checked = partial = 0
    for iid, state, claimed_by, merged_into in issues:
        hist = con.execute(
            "SELECT id, action, actor, detail FROM history WHERE issue_id = ? ORDER BY id", (iid,)).fetchall()
        rel = dict(con.execute("SELECT release, status FROM release_status WHERE issue_id = ?", (iid,)).fetchall())
        where = f"#{iid}"
        if not hist:
            problems.append(f"{where} has no history")
            continue
        # History moved in by a merge interleaves with this issue's own:
        # only what follows the last merge is replayed for the survivor.
        last_merge = max((i for i, (_, a, _, d) in enumerate(hist) if a == "merged" and d.endswith("merged into this issue")), default=None)
        own = hist if last_merge is None else hist[last_merge + 1:]
        if last_merge is None and hist[0][1] != "opened" and not (hist[0][1] == "merged" and merged_into):
            problems.append(f"{where}: history starts with {hist[0][1]!r}, not 'opened'")
        cur_state = "new" if last_merge is None else None
        cur_claim = None if last_merge is None else ...
        cur_rel = {} if last_merge is None else None
        seen_rel = {}
        for hid, action, actor, detail in own:
            if action == "state":
                m = STATE.match(detail)
                if not m:
                    problems.append(f"{where}: state row {hid} reads {detail!r}")
                    continue
                if cur_state is not None and m.group(1) != cur_state:
                    problems.append(f"{where}: state row {hid} goes {detail!r} but the state was {cur_state}")
                cur_state = m.group(2)
            elif action == "merged" and detail.startswith("into #"):
                cur_state = "dismissed"
                cur_claim = None
            elif action == "claimed":
                cur_claim = actor
            elif action == "assigned":
                cur_claim = detail[3:].split(";")[0] if detail.startswith("to ") else None
            elif action == "unclaimed":
                cur_claim = None
            elif action == "release-status":
                r, _, rest = detail.partition(": ")
                seen_rel[r] = rest.split(" ")[0].rstrip(",:")
        if cur_state is not None and cur_state != state:
            problems.append(f"{where}: history ends in state {cur_state}, the issue says {state}")
        if cur_claim is not ... and cur_claim != claimed_by:
            problems.append(f"{where}: history says held by {cur_claim}, the issue says {claimed_by}")
        for r, s in seen_rel.items():
            if rel.get(r) != s:
                problems.append(f"{where}: history says {r} is {s}, release_status says {rel.get(r)}")
        if cur_rel is not None:
            for r in rel:
                if r not in seen_rel:
                    problems.append(f"{where}: release {r} is {rel[r]} with no history row")
        for r in rel:
            if r not in releases:
                problems.append(f"{where}: status for unknown release {r}")
        if merged_into is not None and state != "dismissed":
            problems.append(f"{where}: merged into #{merged_into} but {state}")
        if last_merge is None:
            checked += 1
        else:
            partial += 1
    cves_two = con.execute("SELECT count(*) FROM (SELECT cve FROM issue_cves GROUP BY cve HAVING count(*) > 1)").fetchone()[0]
    if cves_two:
        problems.append(f"{cves_two} CVEs belong to more than one issue")
    fk = con.execute("PRAGMA foreign_key_check").fetchall()
    if fk:
        problems.append(f"{len(fk)} rows break a foreign key, e.g. {fk[:3]}")
    integ = con.execute("PRAGMA integrity_check").fetchone()[0]
    if integ != "ok":
        problems.append(f"integrity_check: {integ}")
    con.close()
    return problems, {"issues": len(issues), "replayed": checked, "merged survivors": partial}


def check_outbox(db, smtp_maildir):
    """Each outbox key against the mails the SMTP server filed."""
    problems = []
    con = ro(db)
    rows = con.execute("SELECT key, state, attempts, sent_at FROM outbox").fetchall()
    con.close()
    got = {}
    parser = email.parser.BytesHeaderParser()
    filed = {}
    for sub in ("new", "cur"):
        d = os.path.join(smtp_maildir, sub)
        for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            path = os.path.join(d, name)
            with open(path, "rb") as f:
                k = parser.parsebytes(f.read()).get("X-Secdesk-Key")
            got[k] = got.get(k, 0) + 1
            filed.setdefault(k, []).append(os.path.getmtime(path))
    states = {}
    sent_at = {}
    for key, state, attempts, at in rows:
        states[state] = states.get(state, 0) + 1
        sent_at[key] = at
        n = got.get(key, 0)
        if state == "sent" and n == 0:
            problems.append(f"outbox key {key!r} is sent and the server never got it (attempts {attempts})")
        if state != "sent" and n:
            problems.append(f"outbox key {key!r} is {state} and the server got it {n} times")
        if state in ("queued", "sending"):
            problems.append(f"outbox key {key!r} still {state} with the SMTP server up")
    keys = {k for k, _, _, _ in rows}
    strays = [k for k in got if k not in keys]
    if strays:
        problems.append(f"{len(strays)} mails on the server carry no outbox key of ours: {strays[:3]}")
    dup = sum(n - 1 for n in got.values() if n > 1)
    # Repeats are judged by the driver, which knows the kills.
    repeats = [(k, sorted(t), sent_at.get(k)) for k, t in filed.items() if len(t) > 1]
    return problems, {"outbox rows": len(rows), "mails received": sum(got.values()),
                      "duplicates": dup, "states": states, "repeats": repeats}


def check_site(db, site, whole):
    """After the final render: issues.json lists exactly the public issues
    (not merged, not dismissed as embargoed), each has its page, no
    embargoed issue has one, and the site is, file for file and byte for
    byte, the one a whole render into the fresh directory `whole` made
    (but for the trends page)."""
    import glob
    import json
    problems = []
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    public = {r[0] for r in c.execute(
        "SELECT id FROM issues WHERE merged_into IS NULL"
        " AND (dismiss_reason IS NULL OR dismiss_reason != 'embargoed')")}
    hidden = {r[0] for r in c.execute(
        "SELECT id FROM issues WHERE merged_into IS NOT NULL OR dismiss_reason = 'embargoed'")}
    c.close()
    try:
        with open(os.path.join(site, "issues.json")) as f:
            listed = {i["id"] for i in json.load(f)["issues"]}
    except (OSError, ValueError, KeyError) as e:
        return [f"site: issues.json unreadable: {e!r}"], {}
    if listed != public:
        problems.append(f"site: issues.json lists {len(listed)} issues, the database has {len(public)} public"
                        f" (missing {sorted(public - listed)[:10]}, extra {sorted(listed - public)[:10]})")
    missing = [i for i in public if not os.path.exists(os.path.join(site, "issue", f"{i}.html"))]
    if missing:
        problems.append(f"site: no page for public issues {sorted(missing)[:10]}")
    leaked = [i for i in hidden if os.path.exists(os.path.join(site, "issue", f"{i}.html"))]
    if leaked:
        problems.append(f"site: pages for merged or embargoed issues {sorted(leaked)[:10]}")
    def tree(root):
        out = {}
        for path in glob.glob(os.path.join(root, "**", "*"), recursive=True):
            rel = os.path.relpath(path, root)
            # The trends page is drawn once a day (docs/site.md), so an
            # incremental site may hold this morning's.
            if os.path.isfile(path) and rel not in (".secdesk-site.json", "trends.html"):
                with open(path, "rb") as f:
                    out[rel] = f.read()
        return out
    mine, theirs = tree(site), tree(whole)
    differ = sorted(set(mine) ^ set(theirs)) + sorted(p for p in set(mine) & set(theirs) if mine[p] != theirs[p])
    if differ:
        problems.append(f"site: {len(differ)} files differ from a whole render, e.g. {differ[:10]}")
    pages = len(glob.glob(os.path.join(site, "**", "*.html"), recursive=True))
    stale = len(glob.glob(os.path.join(site, "**", ".*.tmp"), recursive=True))
    return problems, {"public issues": len(public), "pages": pages,
                      "files differing from a whole render": len(differ),
                      "temporary files left by killed runs": stale}
