{ ... }:
{
  services.secdesk = {
    enable = true;

    # Secrets stay out of the Nix store: these files are put in place at run
    # time (by sops-nix, agenix or by hand) and may be readable by root only.
    # systemd hands each one to the jobs that need it as a credential.
    imap.lists.passwordFile = "/run/secrets/secdesk/imap-lists";
    imap.vendors.passwordFile = "/run/secrets/secdesk/imap-vendors";
    smtp.passwordFile = "/run/secrets/secdesk/smtp";

    settings = {
      releases = [
        "25.05"
        "25.11"
        "unstable"
      ];

      # Two accounts, three mailboxes; each account's password comes from
      # imap.<name>.passwordFile above.
      imap = [
        {
          name = "lists";
          host = "imap.example.org";
          tls = "implicit";
          user = "security-lists";
          mailboxes = [
            "oss-security"
            "full-disclosure"
          ];
          # Messages of fixed issues are moved here.
          archive_mailbox = "Archive";
        }
        {
          name = "vendors";
          host = "imap.example.org";
          tls = "implicit";
          user = "security-vendors";
          mailboxes = [ "INBOX" ];
        }
      ];

      smtp = {
        host = "smtp.example.org";
        port = 587;
        tls = "starttls";
        user = "secdesk";
        from = "secdesk <security@example.org>";
      };

      team = [
        {
          id = "alice";
          name = "Alice";
          email = "alice@example.org";
          timezone = "Europe/Berlin";
          roles = [
            "coordination"
            "package-fixing"
          ];
          unix_user = "alice";
        }
        {
          id = "bob";
          name = "Bob";
          email = "bob@example.org";
          timezone = "America/New_York";
          roles = [
            "qa"
            "release-engineering"
          ];
          unix_user = "bob";
        }
        {
          id = "carol";
          name = "Carol";
          email = "carol@example.org";
          timezone = "Asia/Tokyo";
          roles = [
            "package-fixing"
            "qa"
          ];
          unix_user = "carol";
        }
      ];

      # 24-hour shifts handed over at midnight UTC, in this order, starting
      # with alice on 5 January 2026; a reminder 12 hours before each shift.
      rotation = {
        start = "2026-01-05";
        handoff = "00:00";
        order = [
          "alice"
          "bob"
          "carol"
        ];
        remind_before = "12h";
      };

      report = {
        to = [ "security-team@example.org" ];
        # Say so loudly when a mailbox has not been fetched for an hour.
        stale_ingest_after = "1h";
      };

      runbooks = [
        {
          match = [ "openssl" ];
          url = "https://wiki.example.org/security/runbooks/openssl";
          title = "OpenSSL releases";
        }
      ];
    };

    # The daily report goes out before the European morning.
    triageReport.startAt = "*-*-* 06:00:00 UTC";
  };

  # The team's logins on this host: members of the group `secdesk` run the
  # `secdesk` command on the jobs' database.
  users.users.alice = {
    isNormalUser = true;
    extraGroups = [ "secdesk" ];
  };
  users.users.bob = {
    isNormalUser = true;
    extraGroups = [ "secdesk" ];
  };
  users.users.carol = {
    isNormalUser = true;
    extraGroups = [ "secdesk" ];
  };
}
