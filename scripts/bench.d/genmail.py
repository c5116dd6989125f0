#!/usr/bin/env python3
"""Writes N messages shaped like the bundled list mail into a Maildir.

Advisories name CVEs shared by about three messages each (so correlation
does real work), Debian advisories are PGP clear-signed, a quarter are
replies, some carry no CVE at all. Sizes are 1-6 KB like the samples.
Usage: genmail.py DIR N [--per-cve K] [--parts P]

--per-cve K (K >= 4; without it, the layout above, about N/2 issues): each
CVE gets a thread of K messages: the oss-security advisory, the Debian
advisory (every 20th also fixes the previous CVE, so issues get related),
a Full Disclosure repost, and K-3 replies to the advisory; in one thread
out of ten the last message is instead a Full Disclosure post naming no
CVE (an issue of its own). So N messages give about 1.1 * N / K issues:
K = 11 gives N/10.
--parts P: the messages go, in order, into P Maildirs DIR/part-000 ...,
so that a benchmark can ingest them as P deliveries at successive times.
"""
import os
import random
import sys

def usage():
    sys.exit("usage: genmail.py DIR N [--per-cve K] [--parts P]")


def main():
    args = sys.argv[1:]
    opts = {"--per-cve": None, "--parts": None}
    pos = []
    while args:
        a = args.pop(0)
        if a in opts:
            if not args:
                usage()
            opts[a] = int(args.pop(0))
        else:
            pos.append(a)
    if len(pos) != 2:
        usage()
    root, n = pos[0], int(pos[1])
    per_cve, parts = opts["--per-cve"], opts["--parts"]
    if per_cve is None and parts is None:
        default_layout(root, n)
        return
    if per_cve is None or per_cve < 4 or (parts is not None and parts < 1):
        usage()
    threads(root, n, per_cve, parts or 1)


def default_layout(root, n):
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    rnd = random.Random(42)
    filler = ("The vulnerability allows a local attacker to escalate privileges by "
              "controlling an environment variable read by the helper. ")
    for i in range(n):
        cve = 10000 + i // 3
        kind = i % 4
        body = filler * rnd.randint(8, 50)
        if kind == 0:
            msg = (f"Message-ID: <adv-{i}@bench.example>\n"
                   f"List-Id: <oss-security.lists.openwall.com>\n"
                   f"Date: Mon, 1 Jan 2024 00:{i % 60:02d}:00 +0000\n"
                   f"From: Researcher <r{i % 97}@bench.example>\n"
                   f"Subject: [oss-security] CVE-2024-{cve}: pkg{cve}: buffer overflow\n"
                   f"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
                   f"Hello,\n\npkg{cve} before 1.2.3 has a buffer overflow (CVE-2024-{cve}).\n\n{body}\n")
        elif kind == 1:
            msg = (f"Message-ID: <dsa-{i}@bench.example>\n"
                   f"List-Id: <debian-security-announce.lists.debian.org>\n"
                   f"Date: Tue, 2 Jan 2024 00:00:00 +0000\n"
                   f"From: Debian Security <team@security.debian.org>\n"
                   f"Subject: [SECURITY] [DSA {i}-1] pkg{cve} security update\n\n"
                   f"-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n"
                   f"- -------------------------------------------------------------------------\n"
                   f"Debian Security Advisory DSA-{i}-1                   security@debian.org\n"
                   f"- -------------------------------------------------------------------------\n\n"
                   f"Package        : pkg{cve}\nCVE ID         : CVE-2024-{cve}\n\n{body}\n"
                   f"-----BEGIN PGP SIGNATURE-----\n\niQIzBAEBCgAdFiEE\n-----END PGP SIGNATURE-----\n")
        elif kind == 2:
            msg = (f"Message-ID: <re-{i}@bench.example>\n"
                   f"In-Reply-To: <adv-{i - 2}@bench.example>\n"
                   f"References: <adv-{i - 2}@bench.example>\n"
                   f"List-Id: <oss-security.lists.openwall.com>\n"
                   f"Date: Wed, 3 Jan 2024 00:00:00 +0000\n"
                   f"From: Maintainer <m{i % 31}@bench.example>\n"
                   f"Subject: Re: [oss-security] CVE-2024-{cve}: pkg{cve}: buffer overflow\n\n"
                   f"> {filler}\n\nThanks, patched in 1.2.4.\n")
        else:
            msg = (f"Message-ID: <fd-{i}@bench.example>\n"
                   f"From: Someone via Fulldisclosure <fulldisclosure@seclists.org>\n"
                   f"Date: Thu, 4 Jan 2024 00:00:00 +0000\n"
                   f"Subject: Stored XSS in webapp{i}\n\n{body}\n")
        with open(os.path.join(root, "cur", f"{i:08d}.bench:2,S"), "w") as f:
            f.write(msg)

FILLER = ("The vulnerability allows a local attacker to escalate privileges by "
          "controlling an environment variable read by the helper. ")


def threads(root, n, k, parts):
    """--per-cve K: one thread of K messages a CVE (see the module doc)."""
    dirs = []
    for p in range(parts):
        d = os.path.join(root, f"part-{p:03d}") if parts > 1 else root
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        dirs.append(d)
    rnd = random.Random(42)
    for i in range(n):
        g, j = divmod(i, k)
        cve = f"CVE-2024-{10000 + g}"
        pkg = f"pkg{10000 + g}"
        first = i - j  # the thread's oss-security advisory
        body = FILLER * rnd.randint(8, 50)
        date = f"{1 + g % 28} Jan 2024 {j % 24:02d}:{i % 60:02d}:00 +0000"
        if j == k - 1 and g % 10 == 9:
            msg = (f"Message-ID: <fd-{i}@bench.example>\n"
                   f"From: Someone via Fulldisclosure <fulldisclosure@seclists.org>\n"
                   f"Date: Thu, {date}\n"
                   f"Subject: Stored XSS in webapp{i}\n\n{body}\n")
        elif j == 0:
            msg = (f"Message-ID: <adv-{i}@bench.example>\n"
                   f"List-Id: <oss-security.lists.openwall.com>\n"
                   f"Date: Mon, {date}\n"
                   f"From: Researcher <r{i % 97}@bench.example>\n"
                   f"Subject: [oss-security] {cve}: {pkg}: buffer overflow\n"
                   f"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
                   f"Hello,\n\n{pkg} before 1.2.3 has a buffer overflow ({cve}).\n\n{body}\n")
        elif j == 1:
            cves = cve
            if g % 20 == 0 and g > 0:
                cves += f" CVE-2024-{10000 + g - 1}"
            msg = (f"Message-ID: <dsa-{i}@bench.example>\n"
                   f"List-Id: <debian-security-announce.lists.debian.org>\n"
                   f"Date: Tue, {date}\n"
                   f"From: Debian Security <team@security.debian.org>\n"
                   f"Subject: [SECURITY] [DSA {g}-1] {pkg} security update\n\n"
                   f"-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n"
                   f"- -------------------------------------------------------------------------\n"
                   f"Debian Security Advisory DSA-{g}-1                   security@debian.org\n"
                   f"- -------------------------------------------------------------------------\n\n"
                   f"Package        : {pkg}\nCVE ID         : {cves}\n\n{body}\n"
                   f"-----BEGIN PGP SIGNATURE-----\n\niQIzBAEBCgAdFiEE\n-----END PGP SIGNATURE-----\n")
        elif j == 2:
            msg = (f"Message-ID: <fd-{i}@bench.example>\n"
                   f"From: Researcher via Fulldisclosure <fulldisclosure@seclists.org>\n"
                   f"Date: Wed, {date}\n"
                   f"Subject: {cve}: {pkg}: buffer overflow\n\n"
                   f"{pkg} before 1.2.3 has a buffer overflow ({cve}).\n\n{body}\n")
        else:
            msg = (f"Message-ID: <re-{i}@bench.example>\n"
                   f"In-Reply-To: <adv-{first}@bench.example>\n"
                   f"References: <adv-{first}@bench.example>\n"
                   f"List-Id: <oss-security.lists.openwall.com>\n"
                   f"Date: Wed, {date}\n"
                   f"From: Maintainer <m{i % 31}@bench.example>\n"
                   f"Subject: Re: [oss-security] {cve}: {pkg}: buffer overflow\n\n"
                   f"> {FILLER}\n\nThanks, patched in 1.2.{3 + j}.\n")
        d = dirs[i * parts // n]
        with open(os.path.join(d, "cur", f"{i:08d}.bench:2,S"), "w") as f:
            f.write(msg)


if __name__ == "__main__":
    main()
