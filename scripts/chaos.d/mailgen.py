"""The mail the chaos run delivers: the bundled real list mail
(tests/fixtures/mail) with fresh Message-IDs, CVE ids moved so that new
issues open while others gather replies, and hostile bytes. Every message
is distinct in its bytes, so the server's count is the count the database
must hold."""
import glob
import os
import random
import re

CVE = re.compile(rb"CVE-(\d{4})-(\d{4,})")


def load_fixtures(root):
    files = sorted(p for p in glob.glob(os.path.join(root, "*", "cur", "*")) if os.path.isfile(p))
    if not files:
        raise SystemExit(f"chaos: no fixture mail under {root}")
    return [open(p, "rb").read() for p in files]


def split(raw):
    for sep in (b"\r\n\r\n", b"\n\n"):
        i = raw.find(sep)
        if i >= 0:
            return raw[:i], raw[i:]
    return raw, b""


def set_header(head, name, value):
    """Drops every `name:` header (with continuation lines) and puts one
    new line first."""
    lines = head.split(b"\n")
    out, skip = [], False
    for line in lines:
        if line[:1] in (b" ", b"\t") and skip:
            continue
        skip = line.lower().startswith(name.lower() + b":")
        if not skip:
            out.append(line)
    return name + b": " + value + b"\n" + b"\n".join(out)


class Generator:
    def __init__(self, fixtures, rng):
        self.fixtures = fixtures
        self.rng = rng
        self.n = 0
        self.ids = []  # Message-IDs delivered, for replies and copies
        self.kinds = {}

    def count(self, kind):
        self.kinds[kind] = self.kinds.get(kind, 0) + 1

    def next(self):
        self.n += 1
        r = self.rng.random()
        if r < 0.70:
            return self.fixture()
        if r < 0.80:
            return self.reply()
        return self.hostile()

    def fresh_id(self):
        return b"<chaos-%d-%d@chaos.example>" % (self.n, self.rng.randrange(1 << 30))

    def fixture(self):
        raw = self.rng.choice(self.fixtures)
        head, body = split(raw)
        mid = self.fresh_id()
        head = set_header(head, b"Message-ID", mid)
        # Most messages name CVEs of their own (a new issue); some keep the
        # fixture's, so later ones join an existing issue.
        if self.rng.random() < 0.6:
            base = 10000 + self.n * 7
            shift = {}

            def move(m):
                key = m.group(0)
                if key not in shift:
                    shift[key] = b"CVE-2026-%d" % (base + len(shift))
                return shift[key]

            head, body = CVE.sub(move, head), CVE.sub(move, body)
        self.ids.append(mid)
        self.count("list mail")
        return head + b"\nX-Chaos-Seq: %d" % self.n + body

    def reply(self):
        if not self.ids:
            return self.fixture()
        parent = self.rng.choice(self.ids)
        mid = self.fresh_id()
        self.ids.append(mid)
        self.count("reply")
        return (b"From: Someone <someone@example.net>\nTo: oss-security@lists.openwall.com\n"
                b"List-Id: <oss-security.lists.openwall.com>\nSubject: Re: [oss-security] chaos thread %d\n"
                b"Message-ID: %s\nIn-Reply-To: %s\nReferences: %s\nDate: Sun, 22 Nov 2026 10:00:00 +0000\n\n"
                b"A reply without a CVE; it joins the thread's issue.\n" % (self.n, mid, parent, parent))

    def hostile(self):
        rng, n = self.rng, self.n
        k = rng.randrange(7)
        self.count("hostile")
        if k == 0:  # arbitrary bytes, no headers at all
            return b"X-Chaos-Seq: %d\n" % n + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4000)))
        if k == 1:  # NULs, lone CRs and 8-bit in headers
            return (b"From: \x00\xff\xfe <x@\x80\x81>\rSubject: [oss-security] \x1b[31mCVE-2026-9\x00 \xc3\x28\n"
                    b"Message-ID: <hostile-%d@\xff>\nX-Chaos-Seq: %d\n\n\xff\xfe body CVE-2026-99999999999999999999\n" % (n, n))
        if k == 2:  # header injection attempt in the subject
            return (b"From: a@b\nSubject: =?utf-8?b?" + __import__("base64").b64encode(b"x\r\nBcc: victim@example.org\r\n\r\nowned") +
                    b"?=\nMessage-ID: <inject-%d@chaos>\n\nbody\n" % n)
        if k == 3:  # broken MIME: unterminated multipart, bad base64, bad charset
            return (b"From: m@example.org\nSubject: [FD] mime CVE-2026-%d\nMessage-ID: <mime-%d@chaos>\n"
                    b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\n"
                    b"Content-Type: text/plain; charset=x-unknown-\xff\nContent-Transfer-Encoding: base64\n\n!!!@@@===\n--b\n"
                    b"Content-Type: multipart/alternative; boundary=\"c\"\n\n--c\n" % (20000 + n, n))
        if k == 4:  # a very long header line and deep folding
            return (b"From: l@example.org\nSubject: " + b"A" * rng.randrange(1000, 100000) +
                    b"\n" + b"X-Fold: x\n" + b"\t y\n" * rng.randrange(1, 3000) +
                    b"Message-ID: <long-%d@chaos>\n\nCVE-2026-%d\n" % (n, 30000 + n))
        if k == 5 and self.ids:  # same Message-ID as an earlier one, other bytes (a copy)
            mid = rng.choice(self.ids)
            return (b"From: cross@example.org\nList-Id: <fulldisclosure.seclists.org>\nSubject: [FD] cross-post %d\n"
                    b"Message-ID: %s\n\ncross-posted %d\n" % (n, mid, n))
        # no Message-ID: a synthetic one from the bytes
        return b"From: nobody@example.org\nSubject: [oss-security] no id %d\n\nCVE-2026-%d\n" % (n, 40000 + n)
