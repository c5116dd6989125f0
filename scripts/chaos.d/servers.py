"""The real servers of the chaos run: Dovecot (IMAPS, Debian dovecot-imapd)
from a temporary directory, aiosmtpd (Debian python3-aiosmtpd) through the
test suite's own tests/harness/smtpd.py, and a TCP proxy that cuts
connections at random. The same shapes as tests/harness/{dovecot,proxy}.rs,
written again in Python for the driver."""
import os
import random
import socket
import ssl
import subprocess
import threading
import time

DOVECOT = "/usr/sbin/dovecot"
PYTHON = "/usr/bin/python3"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, what, deadline=30):
    end = time.time() + deadline
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"chaos: {what} did not listen on {port} within {deadline} s")


def make_cert(dir):
    """A self-signed localhost certificate that doubles as its CA."""
    cert, key = os.path.join(dir, "cert.pem"), os.path.join(dir, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "7",
         "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-keyout", key, "-out", cert],
        check=True, capture_output=True)
    return cert, key


def _id(flag, name):
    out = subprocess.run(["id", flag, name], capture_output=True, text=True)
    return int(out.stdout.strip()) if out.returncode == 0 else None


class Dovecot:
    """Dovecot with one passwd-file user and a Maildir home; mail is
    delivered by writing files into the Maildir (as an MDA would)."""

    def __init__(self, dir, cert, key):
        self.dir = dir
        for sub in ("run", "state", "home/secdesk/Maildir"):
            os.makedirs(os.path.join(dir, sub), exist_ok=True)
        root = os.getuid() == 0
        if root:
            internal, login = "dovecot", "dovenull"
            self.uid, self.gid = _id("-u", "dovecot"), _id("-g", "dovecot")
        else:
            me = subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
            internal = login = me
            self.uid, self.gid = os.getuid(), os.getgid()
        self.user = "secdesk"
        self.password = "chaos-imap-%d" % random.randrange(1 << 40)
        self.home = os.path.join(dir, "home/secdesk")
        with open(os.path.join(dir, "passwd"), "w") as f:
            f.write(f"{self.user}:{{PLAIN}}{self.password}:{self.uid}:{self.gid}::{self.home}\n")
        self.password_file = os.path.join(dir, "imap-password")
        with open(self.password_file, "w") as f:
            f.write(self.password + "\n")
        os.chmod(self.password_file, 0o600)
        self.cert = cert
        self.port = free_port()
        plain = free_port()
        dh = "ssl_dh = </usr/share/dovecot/dh.pem\n" if os.path.exists("/usr/share/dovecot/dh.pem") else ""
        conf = f"""base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
info_log_path = {dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
first_valid_uid = 1
default_internal_user = {internal}
default_login_user = {login}
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
{dh}disable_plaintext_auth = yes
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {dir}/passwd
}}
userdb {{
  driver = passwd-file
  args = {dir}/passwd
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {plain}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""
        self.conf = os.path.join(dir, "dovecot.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        self.chown(self.home)
        with open(os.path.join(dir, "console.log"), "w") as console:
            r = subprocess.run([DOVECOT, "-c", self.conf], stdin=subprocess.DEVNULL,
                               stdout=console, stderr=console)
        if r.returncode != 0:
            raise SystemExit("chaos: dovecot failed to start: "
                             + open(os.path.join(dir, "console.log")).read()
                             + open(os.path.join(dir, "dovecot.log")).read() if os.path.exists(os.path.join(dir, "dovecot.log")) else "")
        wait_port(self.port, "dovecot")
        pidfile = os.path.join(dir, "run/master.pid")
        end = time.time() + 30
        while time.time() < end:
            try:
                self.pid = int(open(pidfile).read().strip())
                break
            except (OSError, ValueError):
                time.sleep(0.05)
        else:
            raise SystemExit(f"chaos: dovecot wrote no {pidfile}")
        self.seq = 0
        self.lock = threading.Lock()

    def chown(self, path):
        subprocess.run(["chown", "-R", f"{self.uid}:{self.gid}", path], check=True)

    def maildir(self, mailbox):
        base = os.path.join(self.home, "Maildir")
        d = base if mailbox == "INBOX" else os.path.join(base, "." + mailbox)
        for sub in ("tmp", "new", "cur"):
            p = os.path.join(d, sub)
            if not os.path.isdir(p):
                os.makedirs(p)
                self.chown(p)
        if d != base and not os.path.exists(os.path.join(d, "maildirfolder")):
            open(os.path.join(d, "maildirfolder"), "w").close()
            self.chown(d)
        return d

    def deliver(self, mailbox, raw):
        """Writes one message into tmp/ and renames it into new/, the
        Maildir way, so Dovecot never sees half a file."""
        d = self.maildir(mailbox)
        with self.lock:
            self.seq += 1
            name = "%d.chaos%d.localhost" % (int(time.time()), self.seq)
        tmp = os.path.join(d, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(raw)
        os.chown(tmp, self.uid, self.gid)
        os.rename(tmp, os.path.join(d, "new", name))

    def client(self):
        import imaplib
        ctx = ssl.create_default_context(cafile=self.cert)
        c = imaplib.IMAP4_SSL("localhost", self.port, ssl_context=ctx, timeout=60)
        c.login(self.user, self.password)
        return c

    def stop(self):
        try:
            os.kill(self.pid, 15)
        except ProcessLookupError:
            return
        end = time.time() + 10
        while os.path.exists(f"/proc/{self.pid}") and time.time() < end:
            time.sleep(0.05)
        if os.path.exists(f"/proc/{self.pid}"):
            os.kill(self.pid, 9)


class Smtp:
    """aiosmtpd with STARTTLS and AUTH, filing mail into a Maildir; stopped
    and started again on the same port for the simulated day without mail."""

    def __init__(self, dir, cert, key, harness):
        self.dir = dir
        self.maildir = os.path.join(dir, "maildir")
        self.cert, self.key, self.harness = cert, key, harness
        self.user = "secdesk"
        self.password_file = os.path.join(dir, "smtp-password")
        with open(self.password_file, "w") as f:
            f.write("chaos-smtp-%d\n" % random.randrange(1 << 40))
        os.chmod(self.password_file, 0o600)
        self.port = free_port()
        self.proc = None
        self.start()

    def start(self):
        log = open(os.path.join(self.dir, "smtpd.log"), "a")
        self.proc = subprocess.Popen(
            [PYTHON, self.harness, "--port", str(self.port), "--maildir", self.maildir,
             "--cert", self.cert, "--key", self.key, "--user", self.user,
             "--password-file", self.password_file],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        wait_port(self.port, "aiosmtpd")

    def stop(self):
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def up(self):
        return self.proc is not None


class CuttingProxy:
    """Forwards 127.0.0.1:port to the upstream port, and cuts a share of
    the connections at a random byte count (either direction): the IMAP
    connection secdesk-ingest sees drops mid-command, mid-literal, mid-TLS
    record."""

    def __init__(self, upstream, cut_share=0.5, max_bytes=200_000):
        self.upstream = upstream
        self.cut_share = cut_share
        self.max_bytes = max_bytes
        self.cuts = 0
        self.connections = 0
        self.enabled = True
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        try:
            up = socket.create_connection(("127.0.0.1", self.upstream))
        except OSError:
            client.close()
            return
        with self.lock:
            self.connections += 1
            cut = self.enabled and random.random() < self.cut_share
        budget = [random.randrange(1, self.max_bytes) if cut else None]
        done = threading.Event()

        def pump(src, dst):
            try:
                while not done.is_set():
                    data = src.recv(16384)
                    if not data:
                        break
                    with self.lock:
                        if budget[0] is not None:
                            if len(data) >= budget[0]:
                                dst.sendall(data[: budget[0]])
                                budget[0] = None
                                self.cuts += 1
                                break
                            budget[0] -= len(data)
                    dst.sendall(data)
            except OSError:
                pass
            done.set()
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        t = threading.Thread(target=pump, args=(up, client), daemon=True)
        t.start()
        pump(client, up)
        t.join()
        client.close()
        up.close()
