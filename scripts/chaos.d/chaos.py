"""The chaos run: every secdesk program in loops on one database, at once,
against a real Dovecot reached through a proxy that cuts connections and a
real SMTP server that is down for a simulated day; SIGKILLs at random
moments; new list mail and hostile bytes arriving all the time. Then the
checks of checks.py, and the figures.

Usage: chaos.py MINUTES --bin DIR --repo DIR [--seed N] [--keep]
Exit status: 0 every check passed; 1 a check failed; 2 bad usage.
"""
import argparse
import datetime as dt
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

# No __pycache__ in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checks  # noqa: E402
import mailgen  # noqa: E402
import servers  # noqa: E402

TEAM = ["alice", "bob", "carol", "dmitri"]
RELEASES = ["25.05", "25.11", "unstable"]
ACCOUNT = "chaos"
MAILBOXES = ["INBOX", "lists"]
START = dt.datetime(2026, 11, 22, 6, 0, tzinfo=dt.timezone.utc)
# Simulated time per phase: (share of the real run, simulated hours, SMTP up).
PHASES = [(0.30, 10, True), (0.30, 26, False), (0.40, 14, True)]
HANG = 600  # seconds a single program run may take before it counts as hung
SKEW = dt.timedelta(minutes=8)  # below secdesk's 10 min for a stale `sending` mail
# The programs that deliver the outbox (and so take mails `sending`).
DELIVERERS = {"secdesk-rotate-notify", "secdesk-triage-report", "secdesk-advisory-render"}
# Fix tracking's branches, one per release, and the channel that follows master.
FIX_BRANCHES = {"25.05": "release-25.05", "25.11": "release-25.11", "unstable": "master"}


class Clock:
    """Simulated time, a pure function of real time elapsed: fast enough
    that shift reminders, handoffs and daily reports fall due many times,
    slow enough while mail flows that outbox retries stay meaningful."""

    def __init__(self, seconds):
        self.t0 = time.monotonic()
        self.seconds = seconds
        self.extra = dt.timedelta()
        self.lock = threading.Lock()
        self.inflight = {}
        self.token = 0
        self.last = START

    def phase(self):
        f = (time.monotonic() - self.t0) / self.seconds
        acc = 0.0
        for i, (share, _, _) in enumerate(PHASES):
            acc += share
            if f < acc:
                return i
        return len(PHASES) - 1

    def now(self):
        f = min((time.monotonic() - self.t0) / self.seconds, 1.0)
        hours, acc = 0.0, 0.0
        for share, h, _ in PHASES:
            part = min(max(f - acc, 0.0), share)
            hours += h * part / share
            acc += share
        return START + dt.timedelta(hours=hours) + self.extra

    def stamp(self, at=None):
        return (at or self.now()).strftime("%Y-%m-%dT%H:%M:%SZ")

    def issue(self, delivers):
        """The `--now` for a program starting now, and a token to give back
        with `done`. Simulated time never runs more than SKEW ahead of a
        program that delivers the outbox and is still running: a real
        clock moves ten minutes only while a run lasts ten minutes, and
        secdesk takes a mail left `sending` that long (10 min) for one
        whose sender was killed. Without this bound the run would report
        as duplicates mails that only a clock racing ahead of a slow (not
        killed) sender makes."""
        with self.lock:
            t = self.now()
            if self.inflight:
                t = min(t, min(self.inflight.values()) + SKEW)
            t = max(t, self.last)
            self.last = t
            self.token += 1
            if delivers:
                self.inflight[self.token] = t
            return t, self.token

    def done(self, token):
        with self.lock:
            self.inflight.pop(token, None)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.runs, self.kills, self.exits = {}, {}, {}
        self.locked, self.panics, self.hangs, self.signals = [], [], [], []
        self.errors = {}
        self.cli_ok = self.cli_refused = self.cli_failed = 0
        self.bad_exit = []

    def add(self, d, k, n=1):
        with self.lock:
            d[k] = d.get(k, 0) + n


class Desk:
    def __init__(self, a, dir, dovecot, smtp, proxy):
        self.a, self.dir, self.dovecot, self.smtp, self.proxy = a, dir, dovecot, smtp, proxy
        self.db = os.path.join(dir, "secdesk.sqlite")
        self.stats = Stats()
        self.running = {}
        self.killed = set()
        self.deliverer_kills = []  # (wall start, wall kill, program, --now) of each SIGKILLed deliverer
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.rng = random.Random(a.seed)
        self.logs = os.path.join(dir, "logs")
        os.makedirs(self.logs)
        self.config = os.path.join(dir, "config.json")
        self.repo = os.path.join(dir, "nixpkgs")
        self.fix_commits = 0
        self.make_repo()
        self.write_config(proxy.port)
        for prog in ("secdesk-site-render", "secdesk-fix-track"):
            if not os.path.exists(os.path.join(a.bin, prog)):
                raise SystemExit(f"chaos: {prog} is not built in {a.bin}")

    def git(self, *args, at=None):
        """One git command in the package repository, dated `at`."""
        stamp = self.clock.stamp(at) if at else START.strftime("%Y-%m-%dT%H:%M:%SZ")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.dir,
               "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        subprocess.run(["git", "-C", self.repo, "-c", "user.name=Chaos", "-c", "user.email=chaos@example.org",
                        "-c", "commit.gpgsign=false", *args],
                       check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def make_repo(self):
        """The package repository secdesk-fix-track scans: master with a
        first commit, a branch per release and the unstable channel."""
        os.makedirs(self.repo)
        self.git("init", "-q", "-b", "master")
        self.git("commit", "-q", "--allow-empty", "-m", "init")
        for branch in FIX_BRANCHES.values():
            if branch != "master":
                self.git("branch", branch)
        self.git("branch", "nixos-unstable")

    def fix_commit(self):
        """A fix on master naming a CVE the desk tracks (in the message or
        an added patch file), sometimes backported with `cherry-pick -x`,
        sometimes the channel brought up to master."""
        r = self.rng
        cves = self.ids("SELECT cve FROM issue_cves ORDER BY random() LIMIT 1")
        cve = cves[0] if cves else "CVE-2026-%d" % r.randrange(1000, 9999)
        at = self.clock.now()
        with self.lock:
            self.git("checkout", "-q", "master", at=at)
            n = self.fix_commits
            self.fix_commits += 1
            path = os.path.join(self.repo, "pkgs", f"p{n % 50}")
            os.makedirs(path, exist_ok=True)
            name = f"{cve}.patch" if r.random() < 0.5 else f"fix-{n}.patch"
            with open(os.path.join(path, name), "w") as f:
                f.write(f"patch {n}\n")
            self.git("add", "-A", at=at)
            msg = f"p{n % 50}: security fix {n}" if name.startswith("CVE-") else f"p{n % 50}: fix {cve}"
            self.git("commit", "-q", "-m", msg, at=at)
            if r.random() < 0.5:
                branch = r.choice([b for b in FIX_BRANCHES.values() if b != "master"])
                self.git("checkout", "-q", branch, at=at)
                try:
                    self.git("cherry-pick", "-x" if r.random() < 0.8 else "--ff", "master", at=at)
                except subprocess.CalledProcessError:
                    self.git("cherry-pick", "--abort", at=at)
                self.git("checkout", "-q", "master", at=at)
            if r.random() < 0.3:
                self.git("branch", "-f", "nixos-unstable", "master", at=at)

    def write_config(self, imap_port):
        cfg = {
            "database": self.db,
            "outbox_dir": os.path.join(self.dir, "outbox"),
            "releases": RELEASES,
            "team": [
                {"id": m, "name": m.title(), "email": f"{m}@example.org",
                 "timezone": tz, "roles": roles}
                for m, tz, roles in [
                    ("alice", "Europe/Berlin", ["coordination", "qa"]),
                    ("bob", "America/New_York", ["package-fixing", "release-engineering"]),
                    ("carol", "Asia/Tokyo", ["package-fixing", "qa"]),
                    ("dmitri", "UTC", ["coordination", "release-engineering"]),
                ]
            ],
            "rotation": {"start": "2026-11-16", "handoff": "00:00", "order": TEAM, "remind_before": "2h"},
            "report": {"to": ["security-team@example.org"]},
            "advisory": {"id_prefix": "CHAOS", "sender": "bob", "list": "announce@example.org"},
            "fixes": {"repo": self.repo, "branches": FIX_BRANCHES,
                      "channels": {"unstable": "nixos-unstable"}, "since": "2026-01-01"},
            "imap": [{
                "name": ACCOUNT, "host": "localhost", "port": imap_port, "tls": "implicit",
                "user": self.dovecot.user, "password_file": self.dovecot.password_file,
                "ca_file": self.dovecot.cert, "mailboxes": MAILBOXES, "timeout": "10s", "mirror": True,
            }],
            "smtp": {
                "host": "localhost", "port": self.smtp.port, "tls": "starttls", "user": self.smtp.user,
                "password_file": self.smtp.password_file, "ca_file": self.smtp.cert,
                "from": "secdesk <security@example.org>", "timeout": "10s",
            },
        }
        tmp = self.config + ".tmp"
        with open(tmp, "w") as f:
            json.dump(cfg, f, indent=2)
        os.replace(tmp, self.config)

    # -- running programs ------------------------------------------------

    def run(self, prog, args, now=None, killable=True):
        """Runs one program to its end; returns (rc, stdout, stderr), rc None
        when the chaos killed it."""
        path = os.path.join(self.a.bin, prog)
        token = None
        if now:
            stamp = now
        else:
            at, token = self.clock.issue(prog in DELIVERERS)
            stamp = self.clock.stamp(at)
        try:
            return self._run(prog, path, stamp, args, killable)
        finally:
            if token is not None:
                self.clock.done(token)

    def _run(self, prog, path, stamp, args, killable):
        argv = [path, "--config", self.config, "--now", stamp] + args
        env = {k: v for k, v in os.environ.items() if k not in ("SECDESK_CONFIG", "SECDESK_USER")}
        env["RUST_BACKTRACE"] = "1"
        started = time.time()
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env)
        with self.lock:
            if killable:
                self.running[p.pid] = (prog, p)
        try:
            out, err = p.communicate(timeout=HANG)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            self.stats.hangs.append(f"{prog} {' '.join(args)} at {stamp}")
        with self.lock:
            self.running.pop(p.pid, None)
            killed = p.pid in self.killed
            self.killed.discard(p.pid)
            if killed and prog in DELIVERERS:
                self.deliverer_kills.append((started, time.time(), prog, stamp))
        s = self.stats
        s.add(s.runs, prog)
        text = err.decode("utf-8", "replace")
        with open(os.path.join(self.logs, prog + ".log"), "a") as f:
            f.write(f"=== {stamp} rc={'killed' if killed else p.returncode} {' '.join(args)}\n")
            f.write(out.decode("utf-8", "replace"))
            f.write(text)
        if "database is locked" in text or "database table is locked" in text:
            s.locked.append(f"{prog} {' '.join(args)} at {stamp}: {text.strip()[:300]}")
        if "panicked at" in text or p.returncode == 101:
            s.panics.append(f"{prog} {' '.join(args)} at {stamp}: {text.strip()[:600]}")
        if killed:
            s.add(s.kills, prog)
            return None, out, err
        if p.returncode < 0:
            s.signals.append(f"{prog} {' '.join(args)} died of signal {-p.returncode}")
        s.add(s.exits, (prog, p.returncode))
        if p.returncode == 1:
            first = text.strip().splitlines()[-1] if text.strip() else "(no stderr)"
            s.add(s.errors, f"{prog}: {first[:200]}")
        return p.returncode, out, err

    def killer(self):
        """SIGKILLs one of the running programs (only those this driver
        started, by pid) at random moments."""
        while not self.stop.is_set():
            time.sleep(self.rng.uniform(0.2, 1.5))
            with self.lock:
                victims = [(pid, v) for pid, v in self.running.items()]
                if not victims:
                    continue
                pid, (prog, p) = self.rng.choice(victims)
                if p.poll() is not None:
                    continue
                try:
                    os.kill(pid, signal.SIGKILL)
                    self.killed.add(pid)
                except ProcessLookupError:
                    pass

    def loop(self, name, body, pause):
        while not self.stop.is_set():
            try:
                body()
            except Exception as e:  # a driver bug must not pass silently
                self.stats.bad_exit.append(f"driver loop {name}: {e!r}")
                self.stop.set()
                raise
            time.sleep(self.rng.uniform(*pause))

    # -- the loops -------------------------------------------------------

    def deliver(self):
        """New mail into Dovecot, a message at a time and in bursts."""
        n = self.rng.choice([1, 1, 1, 2, 5, 20]) if self.rng.random() < 0.9 else 60
        for _ in range(n):
            raw = self.gen.next()
            self.dovecot.deliver(self.rng.choice(MAILBOXES), raw)
            self.delivered += 1

    def job(self, prog, args):
        return lambda: self.run(prog, args)

    def smtp_phases(self):
        while not self.stop.is_set():
            up = PHASES[self.clock.phase()][2]
            if up and not self.smtp.up():
                self.smtp.start()
                self.events.append(f"SMTP up again at {self.clock.stamp()}")
            elif not up and self.smtp.up():
                self.smtp.stop()
                self.smtp_stopped_at = time.time()
                self.events.append(f"SMTP stopped at {self.clock.stamp()}")
            time.sleep(0.2)

    def ids(self, sql, args=()):
        try:
            c = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=5)
            rows = [r[0] for r in c.execute(sql, args).fetchall()]
            c.close()
            return rows
        except sqlite3.Error:
            return []

    def cli(self):
        """One CLI action by a random member on a random issue."""
        r = self.rng
        who = r.choice(TEAM)
        open_ids = self.ids("SELECT id FROM issues WHERE merged_into IS NULL ORDER BY random() LIMIT 5")
        if not open_ids:
            self.cli_run(["status"])
            return
        i = str(open_ids[0])
        j = str(open_ids[-1])
        day = (self.clock.now() + dt.timedelta(days=r.randrange(-1, 6))).strftime("%Y-%m-%d")
        day2 = (self.clock.now() + dt.timedelta(days=r.randrange(0, 8))).strftime("%Y-%m-%d")
        rel = r.choice(RELEASES)
        choices = [
            (8, ["issues", "--json"]), (6, ["show", i, "--json"]), (3, ["status"]),
            (2, ["rota", "--json"]), (2, ["history", i]), (2, ["advisory", "list", "--json"]),
            (10, ["--as", who, "claim", i]),
            (2, ["--as", who, "claim", i, "--steal", "--reason", "chaos takes it"]),
            (3, ["--as", who, "unclaim", i]),
            (3, ["--as", who, "assign", i, "--to", r.choice(TEAM)]),
            (6, ["--as", who, "release-status", i, rel, "affected"]),
            (6, ["--as", who, "release-status", i, rel, "fixed", "--ref", f"https://example.org/pr/{r.randrange(1000)}"]),
            (4, ["--as", who, "release-status", i, rel, "not-affected"]),
            (2, ["--as", who, "release-status", i, rel, "wontfix", "--reason", "end of life"]),
            (2, ["--as", who, "release-status", i, "nope", "affected"]),
            (3, ["--as", who, "severity", i, r.choice(["low", "medium", "high", "critical"])]),
            (4, ["--as", who, "note", i, r.choice(["looked at it", "ünïcødé ✓", "x" * 3000, "line\nbreak", "\x1b[31mred"])]),
            (2, ["--as", who, "dismiss", i, "--reason", r.choice(["not-packaged", "not-a-vulnerability", "duplicate"])]),
            (2, ["--as", who, "reopen", i]),
            (1, ["--as", who, "announce", i, "--ref", "https://example.org/a"]),
            (1, ["--as", who, "merge", i, j]),
            (2, ["--as", who, "relate", i, j]),
            (2, ["--as", who, "rota", "swap", day, day2]),
            (2, ["--as", who, "rota", "cover", day, "--by", r.choice(TEAM)]),
            (1, ["--as", who, "rota", "away", r.choice(TEAM), day, day2]),
            (1, ["--as", who, "rota", "undo", str(r.randrange(1, 20))]),
            (2, ["--as", who, "claim", "999999"]),
            (6, None),  # the advisory workflow
        ]
        total = sum(w for w, _ in choices)
        pick = r.uniform(0, total)
        for w, argv in choices:
            pick -= w
            if pick <= 0:
                break
        if argv is None:
            self.advisory_step(who, i)
        else:
            self.cli_run(argv)

    def advisory_step(self, who, issue):
        """Moves one issue a step along: releases fixed, drafted, approved
        by another member, published."""
        r = self.rng
        drafts = self.ids("SELECT a.id FROM advisories a WHERE published_at IS NULL AND abandoned_at IS NULL ORDER BY random() LIMIT 1")
        approved = self.ids("SELECT DISTINCT advisory FROM advisory_revisions v JOIN advisories a ON a.id = v.advisory WHERE a.published_at IS NULL AND a.abandoned_at IS NULL ORDER BY random() LIMIT 1")
        k = r.randrange(4)
        if k == 0:
            for rel in RELEASES:
                self.cli_run(["--as", who, "release-status", issue, rel, "fixed", "--ref", "https://example.org/commit/abc"])
        elif k == 1:
            self.cli_run(["--as", who, "advisory", "draft", issue, "--title", f"chaos advisory for #{issue}"])
        elif k == 2 and drafts:
            self.cli_run(["--as", who, "advisory", "review", str(drafts[0]), "--approve"])
        elif k == 3 and approved:
            self.cli_run(["--as", who, "advisory", "published", str(approved[0]), "--url", f"https://example.org/adv/{approved[0]}"])
        else:
            self.cli_run(["advisory", "list"])

    def cli_run(self, argv):
        rc, _, _ = self.run("secdesk", argv)
        s = self.stats
        with s.lock:
            if rc == 0:
                s.cli_ok += 1
            elif rc == 2:
                s.cli_refused += 1
            elif rc is not None:
                s.cli_failed += 1

    # -- the whole run ---------------------------------------------------

    def main(self):
        a = self.a
        self.gen = mailgen.Generator(mailgen.load_fixtures(os.path.join(a.repo, "tests/fixtures/mail")), self.rng)
        self.delivered = 0
        self.events = []
        self.clock = Clock(a.minutes * 60)
        for mb in MAILBOXES:
            self.dovecot.maildir(mb)
        rc, out, err = self.run("secdesk", ["init"], killable=False)
        if rc != 0:
            raise SystemExit(f"chaos: secdesk init failed: {err.decode(errors='replace')}")
        loops = [
            ("deliver", self.deliver, (0.05, 0.6)),
            ("ingest", self.job("secdesk-ingest", []), (0.0, 0.5)),
            ("ingest-2", self.job("secdesk-ingest", []), (0.5, 3.0)),
            ("rotate-notify", self.job("secdesk-rotate-notify", []), (0.0, 0.5)),
            ("triage-report", self.job("secdesk-triage-report", []), (0.2, 1.5)),
            ("advisory-render", self.job("secdesk-advisory-render", ["--out", os.path.join(self.dir, "advisories")]), (0.2, 1.5)),
            ("cli-1", self.cli, (0.0, 0.2)),
            ("cli-2", self.cli, (0.0, 0.4)),
        ]
        loops.append(("site-render", self.job("secdesk-site-render", ["--out", os.path.join(self.dir, "site")]), (0.2, 1.5)))
        loops.append(("fix-commits", self.fix_commit, (0.5, 2.0)))
        loops.append(("fix-track", self.job("secdesk-fix-track", ["--no-fetch"]), (0.5, 2.0)))
        threads = [threading.Thread(target=self.loop, args=l, daemon=True) for l in loops]
        threads.append(threading.Thread(target=self.killer, daemon=True))
        threads.append(threading.Thread(target=self.smtp_phases, daemon=True))
        for t in threads:
            t.start()
        end = time.monotonic() + a.minutes * 60
        while time.monotonic() < end and not self.stop.is_set():
            time.sleep(1)
            left = int(end - time.monotonic())
            if left % 30 == 0:
                print(f"chaos: {left} s left, simulated {self.clock.stamp()}, delivered {self.delivered}, "
                      f"kills {sum(self.stats.kills.values())}, cuts {self.proxy.cuts}", flush=True)
        self.stop.set()
        for t in threads:
            t.join(HANG + 10)
        return self.finish()

    def finish(self):
        """No more chaos: SMTP up, mail straight to Dovecot (no cuts), every
        job run to completion, then the checks."""
        s = self.stats
        if not self.smtp.up():
            self.smtp.start()
            self.events.append("SMTP up for the drain")
        self.proxy.enabled = False
        final = max(self.clock.now(), self.clock.last)
        drained = {"ingest": 0, "outbox": 0}
        for attempt in range(10):
            rc, _, _ = self.run("secdesk-ingest", [], now=self.clock.stamp(final), killable=False)
            drained["ingest"] += 1
            if rc == 0:
                break
        # Past every back-off (at most 1 h) and past the stale `sending`
        # window (10 min): whatever is queued is due now.
        for k in range(6):
            at = final + dt.timedelta(hours=2 * (k + 1))
            rc, _, _ = self.run("secdesk-rotate-notify", [], now=self.clock.stamp(at), killable=False)
            drained["outbox"] += 1
            left = self.ids("SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending')")
            if rc == 0 and left == [0]:
                break
        problems = []
        # The site and fix tracking, once more to completion: both must
        # finish (exit 0) after every kill, and the site must list every
        # public issue.
        # The site the killed incremental renders left, finished by one
        # more, must be byte for byte the site a whole render makes now.
        for prog, args in (("secdesk-fix-track", ["--no-fetch"]),
                           ("secdesk-site-render", ["--out", os.path.join(self.dir, "site")]),
                           ("secdesk-site-render", ["--out", os.path.join(self.dir, "site-whole")])):
            rc, _, err = self.run(prog, args, now=self.clock.stamp(final), killable=False)
            if rc != 0:
                problems.append(f"final {prog} exited {rc}: {err.decode(errors='replace').strip()[:300]}")
        sp, sfig = checks.check_site(self.db, os.path.join(self.dir, "site"),
                                     os.path.join(self.dir, "site-whole"))
        problems += sp
        mp, mfig = checks.check_messages(self.db, self.dovecot, MAILBOXES, ACCOUNT, self.delivered)
        ip, ifig = checks.check_issues(self.db, RELEASES)
        op, ofig = checks.check_outbox(self.db, self.smtp.maildir)
        # A mail the server got twice is explained only by SMTP's own limit
        # (RFC 1047): a program that delivers the outbox was running when
        # the server filed the first copy and was SIGKILLed before the
        # second (it had sent the final `.` and not yet committed `sent`),
        # and the mail went out again only once that run's `sending` mark
        # had gone stale (10 simulated minutes after its --now). Anything
        # else is a failure.
        explained = 0

        def now_of(k):
            return dt.datetime.strptime(k[3], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)

        with open(os.path.join(self.logs, "deliverer-kills.tsv"), "w") as f:
            for k in self.deliverer_kills:
                f.write("%.3f\t%.3f\t%s\t%s\n" % k)
        for key, times, sent_at in ofig.pop("repeats"):
            # Each copy but the last needs its own killed sender, running
            # when that copy was filed and killed before the next one; each
            # resend comes 10 simulated minutes (stale) after the kill
            # before it.
            chain, after = [], None
            for i in range(len(times) - 1):
                fits = [k for k in self.deliverer_kills
                        if k[0] < times[i] < k[1] <= times[i + 1] and k not in chain
                        and (after is None or now_of(k) >= after)]
                if not fits:
                    break
                k = min(fits, key=now_of)
                chain.append(k)
                after = now_of(k) + dt.timedelta(minutes=10)
            if len(chain) == len(times) - 1 and sent_at and sent_at >= self.clock.stamp(after):
                explained += len(chain)
                what = "; ".join(f"{prog} (--now {stamp}) SIGKILLed {t - times[i]:.3f} s after copy {i + 1}"
                                 for i, (_, t, prog, stamp) in enumerate(chain))
                self.events.append(f"{key!r} sent {len(times)} times: {what}")
            else:
                near = [k for k in self.deliverer_kills if k[0] < times[-1] and k[1] > times[0]]
                op.append(f"outbox key {key!r}: the server got it {len(times)} times, not explained by deliverers "
                          f"killed between the copies (kills around: {near or 'none'}; logs/deliverer-kills.tsv)")
        ofig["repeats after a kill in SMTP's window"] = explained
        problems += mp + ip + op
        if s.locked:
            problems.append(f"{len(s.locked)} 'database is locked' failures, e.g. {s.locked[:3]}")
        if s.panics:
            problems.append(f"{len(s.panics)} panics, e.g. {s.panics[:2]}")
        problems += [f"hung: {h}" for h in s.hangs] + [f"signal: {x}" for x in s.signals] + s.bad_exit
        for (prog, rc), n in sorted(s.exits.items()):
            if rc not in (0, 1, 2) or (rc == 2 and prog != "secdesk"):
                problems.append(f"{prog} exited {rc} {n} times")
        if s.cli_failed:
            problems.append(f"{s.cli_failed} CLI actions failed with exit 1")

        def line(k, v):
            print(f"  {k:<28} {v}")

        print("chaos: figures")
        line("real minutes", self.a.minutes)
        line("simulated", f"{self.clock.stamp(START)} .. {self.clock.stamp(final)}")
        for e in self.events:
            line("event", e)
        line("kills", f"{sum(s.kills.values())} " + json.dumps(dict(sorted(s.kills.items()))))
        line("runs", json.dumps(dict(sorted(s.runs.items()))))
        line("exit codes", json.dumps({f"{p} {rc}": n for (p, rc), n in sorted(s.exits.items())}))
        line("proxy connections / cuts", f"{self.proxy.connections} / {self.proxy.cuts}")
        line("messages delivered", f"{self.delivered} " + json.dumps(self.gen.kinds))
        line("messages on server / stored", f"{mfig['server']} / {mfig['stored']}")
        line("issues", json.dumps(ifig))
        line("outbox", json.dumps(ofig))
        line("mails received by SMTP", ofig["mails received"])
        line("CLI actions ok / refused", f"{s.cli_ok} / {s.cli_refused}")
        line("drain runs", json.dumps(drained))
        line("'database is locked'", len(s.locked))
        line("panics", len(s.panics))
        line("site", json.dumps(sfig))
        line("fix commits made", self.fix_commits)
        if s.errors:
            print("chaos: exit-1 reasons (runtime failures the next run retries)")
            for k, n in sorted(s.errors.items(), key=lambda x: -x[1])[:15]:
                print(f"  {n:>5}  {k}")
        if problems:
            print(f"chaos: FAILED, {len(problems)} problems:")
            for p in problems[:60]:
                print("  - " + p)
            print(f"chaos: logs and database kept in {self.dir}")
            return 1
        print("chaos: passed: every server message stored exactly once, every issue consistent with its history, "
              "every outbox key sent exactly once (but repeats after a SIGKILL in SMTP's acceptance window, counted above), "
              "no 'database is locked', no panics")
        return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("minutes", type=float)
    p.add_argument("--bin", required=True)
    p.add_argument("--repo", required=True)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--keep", action="store_true")
    a = p.parse_args()
    if a.minutes <= 0:
        p.error("MINUTES must be positive")
    if a.seed is None:
        a.seed = random.randrange(1 << 32)
    print(f"chaos: {a.minutes} minutes, seed {a.seed}", flush=True)
    random.seed(a.seed)
    dir = tempfile.mkdtemp(prefix="secdesk-chaos-")
    os.chmod(dir, 0o755)
    cert, key = servers.make_cert(dir)
    os.chmod(key, 0o644)  # Dovecot's config reader runs as root and reads it
    dovecot = smtp = None
    rc = 1
    try:
        dovecot = servers.Dovecot(os.path.join(dir, "dovecot"), cert, key)
        smtp_dir = os.path.join(dir, "smtp")
        os.makedirs(smtp_dir)
        smtp = servers.Smtp(smtp_dir, cert, key, os.path.join(a.repo, "tests/harness/smtpd.py"))
        proxy = servers.CuttingProxy(dovecot.port)
        desk = Desk(a, os.path.join(dir, "desk"), dovecot, smtp, proxy)
        rc = desk.main()
    finally:
        if smtp:
            smtp.stop()
        if dovecot:
            dovecot.stop()
        if rc == 0 and not a.keep:
            shutil.rmtree(dir, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
