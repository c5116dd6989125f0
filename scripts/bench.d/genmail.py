#!/usr/bin/env python3
"""Writes N messages shaped like the bundled list mail into a Maildir.

Advisories name CVEs shared by about three messages each (so correlation
does real work), Debian advisories are PGP clear-signed, a quarter are
replies, some carry no CVE at all. Sizes are 1-6 KB like the samples.
Usage: genmail.py DIR N
"""
import os
import random
import sys

def main():
    root, n = sys.argv[1], int(sys.argv[2])
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

if __name__ == "__main__":
    main()
