# The NixOS VM test of the module (a flake check; needs KVM):
#
#   nix build .#checks.x86_64-linux.vm
#
# One machine runs Dovecot (IMAP on 127.0.0.1:143), an SMTP server
# (aiosmtpd on 127.0.0.1:2525, AUTH required) and services.secdesk. The
# script puts the passwords in place at run time, appends a disclosure over
# IMAP, runs the jobs through systemd, and checks that an issue was opened,
# that the report reached the SMTP server, that the group's members (and
# only they) can use the CLI, that no password is in a unit file, the
# configuration or the system closure, and that every job scores an exposure
# of at most 1.2 in `systemd-analyze security`.
{ pkgs, self }:
let
  # Only the test script knows the passwords: they enter the VM at run time
  # and must never appear in its system closure.
  imapPassword = "imap-pw-7d41c9e2b8";
  smtpPassword = "smtp-pw-3a6f0e5d91";

  # The nixpkgs Dovecot module changes with Dovecot 2.4, so the test runs
  # Dovecot itself from a file of its own (dovecot-conf.nix), 2.3 where
  # nixpkgs still has it.
  dovecot = pkgs.dovecot_2_3 or pkgs.dovecot;
  dovecotConf = pkgs.writeText "dovecot.conf" (
    import ./dovecot-conf.nix {
      inherit (dovecot) version;
      baseDir = "/run/dovecot-test";
      stateDir = "/var/lib/dovecot-test";
      passwdFile = "/run/dovecot-test-users";
      mailUser = "vmail";
      mailGroup = "vmail";
      internalUser = "dovecot";
      internalGroup = "dovecot";
      loginUser = "dovenull";
      port = 143;
    }
  );

  python = pkgs.python3.withPackages (ps: [ ps.aiosmtpd ]);

  disclosure = pkgs.writeText "disclosure.eml" ''
    From: Alice Researcher <alice@example.net>
    To: oss-security@lists.openwall.com
    Subject: [oss-security] CVE-2026-31337: heap overflow in libexample
    Message-ID: <secdesk-vm-test-1@example.net>
    Date: Mon, 05 Jan 2026 10:02:00 +0000
    List-Id: <oss-security.lists.openwall.com>
    MIME-Version: 1.0
    Content-Type: text/plain; charset=utf-8

    libexample 1.2.3 and earlier overflow a heap buffer when parsing a
    crafted header (CVE-2026-31337). Fixed in 1.2.4.
  '';

  jobs = [
    "secdesk-ingest"
    "secdesk-rotate-notify"
    "secdesk-triage-report"
  ];
in
pkgs.testers.runNixOSTest {
  name = "secdesk-basic";

  nodes.machine =
    { ... }:
    {
      imports = [ self.nixosModules.default ];

      services.secdesk = {
        enable = true;
        imap.lists.passwordFile = "/run/keys/secdesk/imap-lists";
        smtp.passwordFile = "/run/keys/secdesk/smtp";
        settings = {
          releases = [
            "25.11"
            "unstable"
          ];
          imap = [
            {
              name = "lists";
              host = "127.0.0.1";
              port = 143;
              tls = "none";
              user = "security";
              mailboxes = [ "INBOX" ];
            }
          ];
          smtp = {
            host = "127.0.0.1";
            port = 2525;
            tls = "none";
            user = "secdesk";
            from = "secdesk <secdesk@example.org>";
          };
          team = [
            {
              id = "alice";
              name = "Alice";
              email = "alice@example.org";
              timezone = "Europe/Berlin";
              roles = [ "coordination" ];
              unix_user = "alice";
            }
            {
              id = "bob";
              name = "Bob";
              email = "bob@example.org";
              timezone = "America/New_York";
              roles = [ "package-fixing" ];
            }
          ];
          rotation = {
            start = "2026-01-05";
            handoff = "00:00";
            order = [
              "alice"
              "bob"
            ];
            remind_before = "12h";
          };
          report.to = [ "security-team@example.org" ];
        };
      };

      # An operator in the group, and a user who is not.
      users.users.alice = {
        isNormalUser = true;
        extraGroups = [ "secdesk" ];
      };
      users.users.mallory.isNormalUser = true;

      # Dovecot's users, and the owner of the Maildirs.
      users.users.dovecot = {
        isSystemUser = true;
        group = "dovecot";
      };
      users.groups.dovecot = { };
      users.users.dovenull = {
        isSystemUser = true;
        group = "dovenull";
      };
      users.groups.dovenull = { };
      users.users.vmail = {
        isSystemUser = true;
        group = "vmail";
      };
      users.groups.vmail = { };

      # Started by the test script once the passwords are in place.
      systemd.services.dovecot-test = {
        description = "Dovecot for the secdesk VM test";
        after = [ "network.target" ];
        preStart = "install -d -o vmail -g vmail -m 0750 /var/lib/dovecot-test/mail";
        serviceConfig = {
          ExecStart = "${dovecot}/sbin/dovecot -F -c ${dovecotConf}";
          RuntimeDirectory = "dovecot-test";
          StateDirectory = "dovecot-test";
        };
      };
      systemd.services.smtp-sink = {
        description = "SMTP server for the secdesk VM test";
        after = [ "network.target" ];
        serviceConfig = {
          ExecStart = "${python}/bin/python3 ${./smtp-sink.py} 2525 secdesk /run/keys/secdesk/smtp /var/lib/smtp-sink/Maildir";
          StateDirectory = "smtp-sink";
        };
      };
    };

  testScript = ''
    import json
    import re

    JOBS = ${builtins.toJSON jobs}
    IMAP_PASSWORD = "${imapPassword}"
    SMTP_PASSWORD = "${smtpPassword}"
    CLI = "/run/current-system/sw/bin/secdesk"

    machine.wait_for_unit("multi-user.target")

    with subtest("the secdesk timers are active"):
        for job in JOBS:
            machine.wait_for_unit(job + ".timer")
        machine.succeed("systemctl is-active " + " ".join(job + ".timer" for job in JOBS))

    with subtest("the passwords are put in place at run time, root-only"):
        machine.succeed(
            "install -d -m 0700 /run/keys/secdesk",
            "printf '%s\\n' " + IMAP_PASSWORD + " > /run/keys/secdesk/imap-lists",
            "printf '%s\\n' " + SMTP_PASSWORD + " > /run/keys/secdesk/smtp",
            "chmod 0600 /run/keys/secdesk/imap-lists /run/keys/secdesk/smtp",
            "printf 'security:{PLAIN}%s\\n' " + IMAP_PASSWORD + " > /run/dovecot-test-users",
            "chown root:dovecot /run/dovecot-test-users",
            "chmod 0640 /run/dovecot-test-users",
        )
        machine.succeed("systemctl start dovecot-test.service smtp-sink.service")
        machine.wait_for_open_port(143)
        machine.wait_for_open_port(2525)

    with subtest("a disclosure appended over IMAP becomes an issue"):
        print(machine.succeed(
            "${python}/bin/python3 ${./imap-append.py} 143 security"
            " /run/keys/secdesk/imap-lists INBOX < ${disclosure}"
        ))
        machine.succeed("systemctl start secdesk-ingest.service")
        issues = json.loads(machine.succeed(CLI + " issues --json"))
        assert any("CVE-2026-31337" in issue["cves"] for issue in issues), issues

    with subtest("members of the group secdesk share the database, others cannot open it"):
        out = machine.succeed("su -s /bin/sh alice -c '" + CLI + " issues --json'")
        assert "CVE-2026-31337" in out, out
        machine.fail("su -s /bin/sh mallory -c '" + CLI + " issues --json'")
        machine.succeed("test \"$(stat -c '%a %U %G' /var/lib/secdesk)\" = '2770 secdesk secdesk'")
        # Every file there, whoever made it, stays readable and writable by the group.
        machine.succeed("test -z \"$(find /var/lib/secdesk -type f \\( ! -group secdesk -o ! -perm -g=rw \\))\"")
        # A job still writes after an operator has used the database.
        machine.succeed("systemctl start secdesk-ingest.service")

    with subtest("the triage report reaches the SMTP server"):
        machine.succeed("systemctl start secdesk-triage-report.service")
        machine.wait_until_succeeds(
            "grep -rlF security-team@example.org /var/lib/smtp-sink/Maildir/new", timeout=60
        )
        machine.succeed("systemctl start secdesk-rotate-notify.service")

    with subtest("no password in a unit file, the configuration or the system closure"):
        units = machine.succeed(
            "systemctl cat " + " ".join(job + ".service " + job + ".timer" for job in JOBS)
        )
        assert "LoadCredential=imap-lists:/run/keys/secdesk/imap-lists" in units, units
        assert "LoadCredential=smtp:/run/keys/secdesk/smtp" in units, units
        environment = machine.succeed("systemctl show -P Environment secdesk-ingest.service").split()
        config_file = [e.split("=", 1)[1] for e in environment if e.startswith("SECDESK_CONFIG=")][0]
        assert config_file.startswith("/nix/store/"), config_file
        config_text = machine.succeed("cat " + config_file)
        config = json.loads(config_text)
        assert config["imap"][0]["password_credential"] == "imap-lists", config
        assert config["smtp"]["password_credential"] == "smtp", config
        assert "/run/keys" not in config_text, config_text
        closure = machine.succeed("nix-store --query --requisites /run/current-system").split()
        assert len(closure) > 100, closure
        for password in (IMAP_PASSWORD, SMTP_PASSWORD):
            assert password not in units
            assert password not in config_text
            hits = machine.succeed(
                "nix-store --query --requisites /run/current-system"
                " | xargs grep -rlF -e " + password + " -- || true"
            )
            assert hits.strip() == "", "password found in the store: " + hits

    with subtest("the configuration was checked at build time; man pages and completions are installed"):
        assert config_file.endswith("-secdesk-checked.json"), config_file
        out = machine.succeed(CLI + " check-config")
        assert out == "configuration OK: " + config_file + "\n", out
        machine.succeed("test -s /run/current-system/sw/share/man/man1/secdesk-rota.1.gz")
        machine.succeed("test -s /run/current-system/sw/share/bash-completion/completions/secdesk.bash")

    with subtest("every job scores an exposure of at most 1.2"):
        for job in JOBS:
            out = machine.succeed("systemd-analyze security --no-pager " + job + ".service")
            level = re.search(r"Overall exposure level for \S+: ([0-9.]+)", out)
            assert level is not None and float(level.group(1)) <= 1.2, out
  '';
}
