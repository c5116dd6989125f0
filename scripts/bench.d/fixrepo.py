#!/usr/bin/env python3
"""Writes a `git fast-import` stream of a package repository's history for
`scripts/bench fix-track`: N commits over four branches (master, two release
branches forked from it halfway, and nixos-unstable, master's channel, 50
commits behind). Cherry-pick trailers name made-up commit ids (fast-import
gives marks, not ids), which costs the scan the same as real ones. About 1 commit in 50 names a CVE in its message, 1 in 100
adds a `CVE-YYYY-NNNN.patch`; release-branch commits are mostly
`cherry-pick -x` backports of master commits. Deterministic (seeded).

    fixrepo.py N                 the whole history
    fixrepo.py --more K FROM_TS  K more commits on master (from its head)
"""
import random
import sys

out = sys.stdout.buffer
rng = random.Random(16)
T0 = 1767225600  # 2026-01-01


def blob_line(path, text):
    data = text.encode()
    out.write(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))


def commit(ref, ts, message, files, parent=None):
    msg = message.encode()
    out.write(b"commit refs/heads/%s\n" % ref.encode())
    out.write(b"committer Bench <bench@example.org> %d +0000\n" % ts)
    out.write(b"data %d\n%s\n" % (len(msg), msg))
    if parent:
        out.write(b"from %s\n" % parent.encode())
    for path, text in files:
        blob_line(path, text)
    out.write(b"\n")


def change(i, ts):
    """One master commit: its message and files."""
    a, b = rng.randrange(64), rng.randrange(64)
    pkg = f"pkg{a:02d}{b:02d}"
    files = [(f"pkgs/{a:02d}/{pkg}/default.nix", f"{pkg} {i}\n")]
    r = rng.random()
    if r < 0.02:
        msg = f"{pkg}: 1.{i} -> 1.{i + 1}\n\nFixes CVE-2026-{10000 + i}.\n"
    elif r < 0.03:
        msg = f"{pkg}: add security patch\n"
        files.append((f"pkgs/{a:02d}/{pkg}/CVE-2026-{10000 + i}.patch", f"patch {i}\n"))
    else:
        msg = f"{pkg}: update to {i}\n\nSome description of the change {i}.\n"
    return msg, files


def history(n):
    per_release = int(n * 0.15)
    master = n - 2 * per_release
    fork = master // 2
    channel_behind = 50
    shas = []
    out.write(b"reset refs/heads/master\n\n")
    for i in range(master):
        ts = T0 + i * 60
        msg, files = change(i, ts)
        out.write(b"commit refs/heads/master\nmark :%d\n" % (i + 1))
        m = msg.encode()
        out.write(b"committer Bench <bench@example.org> %d +0000\n" % ts)
        out.write(b"data %d\n%s\n" % (len(m), m))
        for path, text in files:
            blob_line(path, text)
        out.write(b"\n")
        shas.append(i + 1)
        if i == fork:
            out.write(b"reset refs/heads/release-26.05\nfrom :%d\n\n" % (i + 1))
            out.write(b"reset refs/heads/release-26.11\nfrom :%d\n\n" % (i + 1))
        if i == master - 1 - channel_behind:
            out.write(b"reset refs/heads/nixos-unstable\nfrom :%d\n\n" % (i + 1))
    # Release branches: backports of master commits after the fork (the
    # trailer names a mark, resolved below by git: fast-import writes marks
    # only, so the trailer carries a fixed fake id derived from the mark).
    mark = master
    for rel in ("release-26.05", "release-26.11"):
        for j in range(per_release):
            mark += 1
            src = rng.randrange(fork, master)
            ts = T0 + (fork + j) * 60 + 30
            a = rng.randrange(64)
            fake = f"{src:040x}"
            if rng.random() < 0.8:
                msg = f"[backport] pkg: change {src}\n\n(cherry picked from commit {fake})\n"
            else:
                msg = f"[backport] pkg: fix CVE-2026-{10000 + src}\n"
            m = msg.encode()
            out.write(b"commit refs/heads/%s\nmark :%d\n" % (rel.encode(), mark))
            out.write(b"committer Bench <bench@example.org> %d +0000\n" % ts)
            out.write(b"data %d\n%s\n" % (len(m), m))
            blob_line(f"pkgs/{a:02d}/backport-{rel}/default.nix", f"{j}\n")
            out.write(b"\n")


def more(k, from_ts):
    out.write(b"commit refs/heads/master\n")
    for i in range(k):
        ts = from_ts + (i + 1) * 60
        msg, files = change(900000 + i, ts)
        m = msg.encode()
        if i > 0:
            out.write(b"commit refs/heads/master\n")
        out.write(b"committer Bench <bench@example.org> %d +0000\n" % ts)
        out.write(b"data %d\n%s\n" % (len(m), m))
        if i == 0:
            out.write(b"from refs/heads/master^0\n")
        for path, text in files:
            blob_line(path, text)
        out.write(b"\n")


if __name__ == "__main__":
    if sys.argv[1] == "--more":
        more(int(sys.argv[2]), int(sys.argv[3]))
    else:
        history(int(sys.argv[1]))
