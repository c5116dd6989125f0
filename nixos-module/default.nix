# The NixOS module of secdesk: `services.secdesk`.
#
# It writes one JSON configuration file (from `settings`), hands every secret
# over as a systemd credential, and runs each timer job (ingest,
# rotate-notify, triage-report) as a hardened oneshot service under the
# static user and group `secdesk`, sharing one SQLite database in
# /var/lib/secdesk with the operators who run the `secdesk` CLI. With the
# Bat-Signal (`settings.signal`), a path unit starts rotate-notify as soon as
# a `secdesk signal` action writes `signal.trigger` beside the database.
#
# This file is a function of the flake (`self`) returning the module, so the
# flake can make its own package the default (see flake.nix, which imports it
# with `lib.modules.importApply`). Without the flake, import it as
# `(import ./nixos-module { })`; the default package is then `pkgs.secdesk`
# (the flake's `overlays.default` provides it).
#
# It must stay evaluable by Nix 2.8 (Debian's nix-bin runs the evaluation
# test in nixos-module/tests/eval.nix): no `lib.fileset`, no newer builtins,
# and only `pkgs.formats.json`, `pkgs.writeShellScriptBin`, `pkgs.runCommand`
# and `pkgs.stdenv.hostPlatform.system` from `pkgs`, which the test stubs.
{
  self ? null,
}:
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib)
    concatMap
    concatStringsSep
    filter
    filterAttrs
    hasPrefix
    literalExpression
    mapAttrs
    mapAttrsToList
    mkDefault
    mkIf
    mkMerge
    mkOption
    optional
    types
    unique
    ;

  cfg = config.services.secdesk;
  format = pkgs.formats.json { };

  stateDir = "/var/lib/secdesk";

  # Fix tracking (issue 16): on once `settings.fixes` is set; it needs the
  # network only to fetch `fixes.remote`.
  hasFixes = cfg.settings.fixes != null;
  settingsFixes = if hasFixes then cfg.settings.fixes else { };

  # The flake's own build, when the module came from the flake and the flake
  # builds for this system; otherwise the overlay's `pkgs.secdesk`.
  flakePackage =
    if self == null then null else self.packages.${pkgs.stdenv.hostPlatform.system}.default or null;

  # systemd credential names: what the JSON names and what `LoadCredential=`
  # binds; the programs read `$CREDENTIALS_DIRECTORY/<name>`.
  imapCredentialName = name: "imap-${name}";
  smtpCredentialName = "smtp";
  signalContactsCredentialName = "signal-contacts";
  signalTokenCredentialName = "signal-token";

  # A credential name becomes a file name in $CREDENTIALS_DIRECTORY and sits
  # before the `:` of `LoadCredential=`, so it may hold neither `/` nor `:`.
  accountNameType = types.strMatching "[A-Za-z0-9][A-Za-z0-9_.-]*";

  # One IMAP account as written in `settings.imap`: anything the program
  # accepts, plus the credential name when `imap.<name>.passwordFile` is set.
  imapAccountModule =
    { options, ... }:
    let
      # Read through `options`, not `config`: which freeform keys `config`
      # has depends on this very condition, so asking `config.name` recurses.
      name = options.name.value;
    in
    {
      freeformType = format.type;
      options.name = mkOption {
        type = accountNameType;
        example = "lists";
        description = ''
          The account's short name, used in logs and reports. Set
          {option}`services.secdesk.imap.<name>.passwordFile` under the same
          name to give it a password.
        '';
      };
      config.password_credential = mkIf (cfg.imap ? ${name}) (imapCredentialName name);
    };

  teamMemberModule = {
    # No freeformType: a misspelt key here fails at evaluation instead of at
    # the first timer run.
    options = {
      id = mkOption {
        type = types.str;
        example = "alice";
        description = "The short id used everywhere: `--as`, `rotation.order`, claims.";
      };
      name = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "Alice Liddell";
        description = "The name mail greets them with; the id when unset.";
      };
      email = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "alice@example.org";
        description = "Where their reminders and handoffs go.";
      };
      timezone = mkOption {
        type = types.str;
        default = "UTC";
        example = "Europe/Berlin";
        description = "Their IANA time zone, used only to say times in their local time.";
      };
      roles = mkOption {
        type = types.listOf types.str;
        default = [ ];
        example = [
          "coordination"
          "package-fixing"
        ];
        description = ''
          The Bat-Signal roles they can fill (informational: who is paged
          for a role is `settings.signal.roles`).
        '';
      };
      awake = mkOption {
        type = types.nullOr (types.strMatching "[0-9]{2}:[0-9]{2}-[0-9]{2}:[0-9]{2}");
        default = null;
        example = "07:00-23:00";
        description = ''
          The hours of their day, `HH:MM-HH:MM` in their `timezone` (may
          wrap midnight), when the Bat-Signal pages them first; secdesk's
          default, `08:00-22:00`, when unset.
        '';
      };
      unix_user = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "alice";
        description = ''
          The login on this host that acts as this member when `--as` is
          not given. Running the CLI also needs membership in the
          `secdesk` group.
        '';
      };
    };
  };

  # The file drops null values, so an unset optional option (a member's
  # `name`, say) is simply absent, as the program's defaults expect.
  dropNulls =
    value:
    if builtins.isAttrs value && !(lib.isDerivation value) then
      mapAttrs (_: dropNulls) (filterAttrs (_: v: v != null) value)
    else if builtins.isList value then
      map dropNulls value
    else
      value;

  generatedConfigFile = format.generate "secdesk.json" (dropNulls cfg.settings);

  # The generated file, built only once `secdesk check-config` accepts it,
  # as nixpkgs' atticd module checks its configuration: a typo in
  # `settings` (`report.reprot`, a member's unknown time zone) then fails
  # the system build instead of the first timer run. check-config reads no
  # secret and opens no database, which the build sandbox does not have.
  checkedConfigFile =
    pkgs.runCommand "secdesk-checked.json"
      {
        configFile = generatedConfigFile;
      }
      ''
        if ! ${cfg.package}/bin/secdesk check-config --config "$configFile"; then
          echo "secdesk refuses services.secdesk.settings (above, as the generated $configFile);" >&2
          echo "fix the key it names, or set services.secdesk.checkConfig = false to skip the check." >&2
          exit 1
        fi
        cp "$configFile" "$out"
      '';

  configFile = if cfg.checkConfig then checkedConfigFile else generatedConfigFile;

  # The operators' commands: the CLI, and the job programs for work by hand
  # (a `--maildir` backfill, `secdesk-triage-report --stdout`), all with the
  # jobs' configuration. They run as the operator, without the credentials.
  wrapper =
    program:
    pkgs.writeShellScriptBin program ''
      # Files created beside the database (its -wal and -shm) must stay
      # writable by the group, as the jobs' own UMask=0007 keeps theirs.
      umask 0007
      export SECDESK_CONFIG=${configFile}
      exec ${cfg.package}/bin/${program} "$@"
    '';
  wrappedPrograms = [ "secdesk" ] ++ mapAttrsToList (_: job: job.unit) jobs;

  settingsSmtp = cfg.settings.smtp or null;
  # The module itself may add `smtp.password_credential`, so "configured"
  # means a host is set (`?` on null is false).
  hasSmtp = settingsSmtp ? host;
  settingsSignal = cfg.settings.signal or null;

  # Credentials, each { name; path; }, handed to the jobs that use them.
  imapCredentials = mapAttrsToList (name: account: {
    name = imapCredentialName name;
    path = account.passwordFile;
  }) cfg.imap;
  smtpCredentials = optional (cfg.smtp.passwordFile != null) {
    name = smtpCredentialName;
    path = cfg.smtp.passwordFile;
  };
  signalContactsCredentials = optional (cfg.signal.contactsFile != null) {
    name = signalContactsCredentialName;
    path = cfg.signal.contactsFile;
  };
  signalTokenCredentials = optional (cfg.signal.tokenSecretFile != null) {
    name = signalTokenCredentialName;
    path = cfg.signal.tokenSecretFile;
  };
  # The heartbeat URL (issue 18) carries its check's token: a credential,
  # handed to every job, since each pings after its own success.
  heartbeatCredentialName = "heartbeat-url";
  heartbeatCredentials = optional (cfg.heartbeat.urlFile != null) {
    name = heartbeatCredentialName;
    path = cfg.heartbeat.urlFile;
  };
  # Where the jobs write their textfile metrics when node exporter reads
  # them (`metrics.enable`).
  metricsDir = if cfg.metrics.enable then cfg.metrics.directory else null;

  # The module's option for each secret of `settings.signal`.
  signalSecretOption = {
    contacts = "services.secdesk.signal.contactsFile";
    token_secret = "services.secdesk.signal.tokenSecretFile";
  };
  signalSecretFile = {
    contacts = cfg.signal.contactsFile;
    token_secret = cfg.signal.tokenSecretFile;
  };

  # The Bat-Signal is configured once `settings.signal` exists (setting
  # either secret file above creates it too).
  hasSignal = settingsSignal != null;
  # The file `secdesk signal raise` (and ack, decline, baton, resolve)
  # writes beside the database; the path unit starts rotate-notify on it.
  signalTrigger = "${dirOf cfg.settings.database}/signal.trigger";

  # The timer jobs. `credentials` is least privilege: each job gets only the
  # secrets of the servers it talks to (ingest reads IMAP; rotate-notify and
  # triage-report send mail) and of the Bat-Signal work it does
  # (rotate-notify pages, so it gets the private contacts and the reply-token
  # key; ingest checks the tokens of replies, so it gets the key only; the
  # report gets neither).
  jobs = {
    ingest = {
      unit = "secdesk-ingest";
      startAt = "*:0/10";
      description = "secdesk: fetch new mail and turn it into issues";
      credentials = imapCredentials ++ signalTokenCredentials ++ heartbeatCredentials;
      network = cfg.settings.imap != [ ];
      networkText = "config.services.secdesk.settings.imap != [ ]";
    };
    rotateNotify = {
      unit = "secdesk-rotate-notify";
      # Every minute once the Bat-Signal is configured, so that each role
      # escalates within a minute of its ack_timeout (the path unit below
      # sends the first pages at once).
      startAt = if hasSignal then "minutely" else "*:0/5";
      startAtText = ''if config.services.secdesk.settings ? signal then "minutely" else "*:0/5"'';
      description = "secdesk: on-call reminders, handoffs, Bat-Signal pages and outbox delivery";
      credentials =
        smtpCredentials ++ signalContactsCredentials ++ signalTokenCredentials ++ heartbeatCredentials;
      network = hasSmtp;
      networkText = "config.services.secdesk.settings ? smtp.host";
    };
    triageReport = {
      unit = "secdesk-triage-report";
      startAt = "*-*-* 07:00:00 UTC";
      description = "secdesk: mail the daily triage report";
      credentials = smtpCredentials ++ heartbeatCredentials;
      network = hasSmtp;
      networkText = "config.services.secdesk.settings ? smtp.host";
    };
    # Renders approved advisories (text, OSV, CSAF) into
    # `settings.advisory.out_dir` and mails each text to its sender.
    advisoryRender = {
      unit = "secdesk-advisory-render";
      startAt = "hourly";
      description = "secdesk: render approved advisories and mail them to their sender";
      credentials = smtpCredentials ++ heartbeatCredentials;
      network = hasSmtp;
      networkText = "config.services.secdesk.settings ? smtp.host";
    };
    # Fetches the package repository into `settings.fixes.repo` (a blob-less
    # partial clone under the state directory), proposes fix commits and
    # follows fixes into the channel branches. The only job with network
    # for git: it talks to nothing else and reads no secret.
    fixTrack = {
      unit = "secdesk-fix-track";
      startAt = "hourly";
      description = "secdesk: follow fixes in the package repository into the channels";
      credentials = [ ];
      enableDefault = hasFixes;
      enableText = "config.services.secdesk.settings.fixes != null";
      path = [ pkgs.git ];
      network = settingsFixes ? remote;
      networkText = "config.services.secdesk.settings.fixes ? remote";
    };
    # The public static site (issue 17), installed only with
    # `services.secdesk.site.enable`: it reads the database and writes
    # `site.outDir`, which the web server's group may read.
    siteRender = {
      unit = "secdesk-site-render";
      startAt = "hourly";
      description = "secdesk: render the public static site";
      credentials = [ ];
      network = false;
      networkText = "false";
      serviceConfig = {
        # Pages are readable by the web server's group (the directory's,
        # through its setgid bit), writable only by secdesk, hidden from
        # everyone else: 0640 files, 0750 directories.
        UMask = "0027";
        ReadWritePaths = extraWritablePaths ++ [ cfg.site.outDir ];
      };
    };
  };

  jobOptions =
    jobName: job:
    mkOption {
      default = { };
      description = "The `${job.unit}` timer job.";
      type = types.submodule {
        options = {
          enable = mkOption {
            type = types.bool;
            default = job.enableDefault or true;
            defaultText = literalExpression (job.enableText or "true");
            description = ''
              Whether to install `${job.unit}.service` and its timer. On by
              default once {option}`services.secdesk.enable` is set (fix
              tracking: once `settings.fixes` is set).
            '';
          };
          startAt = mkOption {
            type = types.either types.str (types.listOf types.str);
            default = job.startAt;
            defaultText = if job ? startAtText then literalExpression job.startAtText else job.startAt;
            example = "hourly";
            apply = lib.toList;
            description = ''
              When the job runs: one or more `OnCalendar=` expressions, see
              {manpage}`systemd.time(7)`.
            '';
          };
          persistent = mkOption {
            type = types.bool;
            default = true;
            description = ''
              Run once at boot when a scheduled run was missed while the
              machine was off (`Persistent=` of the timer).
            '';
          };
          randomizedDelaySec = mkOption {
            type = types.str;
            default = "0";
            example = "2m";
            description = ''
              Delay each run by a random time up to this
              (`RandomizedDelaySec=` of the timer, a {manpage}`systemd.time(7)`
              time span).
            '';
          };
          network = mkOption {
            type = types.bool;
            # A heartbeat is pinged over the network by every job.
            default = job.network || cfg.heartbeat.urlFile != null;
            defaultText = literalExpression "${job.networkText} || config.services.secdesk.heartbeat.urlFile != null";
            description = ''
              Whether the job talks to a mail server (or pings the heartbeat). When false the job runs
              with `PrivateNetwork=true` and may open only Unix sockets; when
              true it is ordered after `network-online.target`.
            '';
          };
        };
      };
    };

  # Refused secret locations. A path in the Nix store is readable by every
  # local user and every machine the closure is copied to.
  storeAdvice = ''
    Keep the secret outside the store (for example in /run/secrets, managed
    by sops-nix or agenix) and give its location as a string, not as a Nix
    path.'';
  secretProblem =
    what: value:
    let
      path = toString value;
    in
    if builtins.isPath value then
      ''
        ${what} is the Nix path ${path}, which would be copied into the Nix
        store, readable by every local user. ${storeAdvice}''
    else if hasPrefix "/nix/store/" path || hasPrefix "${builtins.storeDir}/" path then
      ''
        ${what} = "${path}" is in the Nix store, which every local user can
        read. ${storeAdvice}''
    else if !(hasPrefix "/" path) then
      "${what} = \"${path}\" is not an absolute path."
    else
      null;

  # Every secret location the module knows of, { what; path; }.
  secretLocations =
    mapAttrsToList (name: account: {
      what = "services.secdesk.imap.${name}.passwordFile";
      path = account.passwordFile;
    }) cfg.imap
    ++ optional (cfg.smtp.passwordFile != null) {
      what = "services.secdesk.smtp.passwordFile";
      path = cfg.smtp.passwordFile;
    }
    ++ optional (cfg.signal.contactsFile != null) {
      what = "services.secdesk.signal.contactsFile";
      path = cfg.signal.contactsFile;
    }
    ++ optional (cfg.heartbeat.urlFile != null) {
      what = "services.secdesk.heartbeat.urlFile";
      path = cfg.heartbeat.urlFile;
    }
    ++ concatMap (
      account:
      optional (account ? password_file) {
        what = "services.secdesk.settings.imap (account ${account.name}).password_file";
        path = account.password_file;
      }
    ) cfg.settings.imap
    ++ optional (settingsSmtp ? password_file) {
      what = "services.secdesk.settings.smtp.password_file";
      path = settingsSmtp.password_file;
    }
    ++ optional (cfg.signal.tokenSecretFile != null) {
      what = "services.secdesk.signal.tokenSecretFile";
      path = cfg.signal.tokenSecretFile;
    }
    ++ optional (settingsSignal ? contacts_file) {
      what = "services.secdesk.settings.signal.contacts_file";
      path = settingsSignal.contacts_file;
    }
    ++ optional (settingsSignal ? token_secret_file) {
      what = "services.secdesk.settings.signal.token_secret_file";
      path = settingsSignal.token_secret_file;
    };

  accountNames = map (account: account.name) cfg.settings.imap;
  memberIds = map (member: member.id) cfg.settings.team;
  duplicates = list: unique (filter (x: lib.count (y: y == x) list > 1) list);

  # Directories the jobs write that lie outside the state directory, which
  # ProtectSystem=strict would otherwise leave read-only.
  underStateDir = path: path == stateDir || hasPrefix "${stateDir}/" path;
  extraWritablePaths = unique (
    filter (path: !(underStateDir path)) (
      [
        # SQLite writes its -wal and -shm files beside the database, so the
        # whole directory must be writable, not just the file.
        (dirOf cfg.settings.database)
        cfg.settings.outbox_dir
      ]
      # Rendered advisories (default: `advisories` beside the database).
      ++ optional (
        cfg.settings ? advisory && cfg.settings.advisory ? out_dir
      ) cfg.settings.advisory.out_dir
      # The package repository's clone, when kept outside the state
      # directory (git writes its objects and refs there).
      ++ optional hasFixes settingsFixes.repo
      # Textfile metrics, replaced after each successful run.
      ++ optional (cfg.settings ? metrics_dir) cfg.settings.metrics_dir
    )
  );

  mkService =
    jobName: job:
    let
      jobCfg = cfg.${jobName};
    in
    {
      inherit (job) description;
      # Only a job that talks to a server waits for the network.
      after = optional jobCfg.network "network-online.target";
      wants = optional jobCfg.network "network-online.target";
      # A configuration switch must not kill a running job nor start one off
      # its timer's schedule; the next run uses the new unit anyway.
      restartIfChanged = false;
      environment.SECDESK_CONFIG = "${configFile}";
      # Programs a job runs (fix tracking runs git).
      path = job.path or [ ];
      serviceConfig = {
        Type = "oneshot";
        ExecStart = "${cfg.package}/bin/${job.unit}";
        # A job stuck on a dead server must not block its timer forever; a
        # killed run is finished by the next one without duplicates.
        TimeoutStartSec = mkDefault "1h";

        # Static, not DynamicUser: operators in the group run the CLI on the
        # same database, so its owner must be stable.
        User = "secdesk";
        Group = "secdesk";
        StateDirectory = "secdesk";
        # Group-writable for the operators; setgid so that files the CLI
        # creates there (the database's -wal and -shm) get the group
        # `secdesk`, not the operator's own group the jobs could not write.
        StateDirectoryMode = "2770";
        # The database and its WAL files stay group-writable (0660).
        UMask = "0007";
        ReadWritePaths = extraWritablePaths;

        # Secrets: systemd (PID 1, as root) copies each file into
        # $CREDENTIALS_DIRECTORY, readable only by this service; the JSON
        # names the credential, never the path or the secret.
        LoadCredential = map (credential: "${credential.name}:${credential.path}") job.credentials;

        # Hardening. The file system is read-only but for the state
        # directory, ReadWritePaths and the credentials.
        ProtectSystem = "strict";
        ProtectHome = true;
        PrivateTmp = true;
        # Only the pseudo devices (/dev/null, /dev/urandom, ...): SQLite,
        # TLS and the logs need no hardware.
        PrivateDevices = true;
        DevicePolicy = "closed";
        PrivateMounts = true;
        # The job sees only its own user and group, though it still shares
        # files with the group's members through the group permission bits.
        PrivateUsers = true;
        NoNewPrivileges = true;
        CapabilityBoundingSet = "";
        AmbientCapabilities = "";
        SystemCallFilter = [
          "@system-service"
          "~@privileged"
          "~@resources"
        ];
        # A refused system call fails with EPERM instead of killing the job,
        # so an unexpected one in a library surfaces as an error message.
        SystemCallErrorNumber = "EPERM";
        SystemCallArchitectures = "native";
        MemoryDenyWriteExecute = true;
        LockPersonality = true;
        ProtectKernelTunables = true;
        ProtectKernelModules = true;
        ProtectKernelLogs = true;
        ProtectControlGroups = true;
        ProtectClock = true;
        ProtectHostname = true;
        ProtectProc = "invisible";
        ProcSubset = "pid";
        RestrictNamespaces = true;
        RestrictRealtime = true;
        # Creating setuid/setgid files is refused; the setgid bit the state
        # directory passes to new subdirectories comes from the kernel, not
        # from the job, and is unaffected.
        RestrictSUIDSGID = true;
        # SQLite shares its WAL index through the -shm file, not System V or
        # POSIX IPC, so nothing of the job's needs to outlive it.
        RemoveIPC = true;
      }
      // (job.serviceConfig or { })
      // (
        if jobCfg.network then
          {
            # IMAP and SMTP need IP; AF_UNIX is for name resolution (nscd,
            # systemd-resolved). No IPAddressDeny=: the servers are host
            # names resolved at run time, so no address list can be known
            # here; add IPAddressAllow=/IPAddressDeny= for your servers if
            # their addresses are fixed.
            RestrictAddressFamilies = [
              "AF_INET"
              "AF_INET6"
              "AF_UNIX"
            ];
          }
        else
          {
            # This job talks to no server: no network namespace of the host,
            # no IP at all, only Unix sockets (user lookups through nscd).
            PrivateNetwork = true;
            IPAddressDeny = "any";
            RestrictAddressFamilies = [ "AF_UNIX" ];
          }
      );
    };

  mkTimer = jobName: job: {
    description = "${job.description} (timer)";
    wantedBy = [ "timers.target" ];
    timerConfig = {
      OnCalendar = cfg.${jobName}.startAt;
      Persistent = cfg.${jobName}.persistent;
      RandomizedDelaySec = cfg.${jobName}.randomizedDelaySec;
    };
  };

  enabledJobs = filterAttrs (
    jobName: _: cfg.${jobName}.enable && (jobName != "siteRender" || cfg.site.enable)
  ) jobs;
in
{
  options.services.secdesk = {
    enable = lib.mkEnableOption "secdesk, the security front desk: mail ingest, on-call rotation and the daily triage report";

    package = mkOption {
      type = types.package;
      default = if flakePackage != null then flakePackage else pkgs.secdesk;
      defaultText =
        if self != null then
          literalExpression "secdesk.packages.\${pkgs.stdenv.hostPlatform.system}.default"
        else
          literalExpression "pkgs.secdesk";
      description = "The secdesk package: every job runs one of its binaries.";
    };

    configFile = mkOption {
      type = types.path;
      readOnly = true;
      default = configFile;
      defaultText = literalExpression ''(pkgs.formats.json { }).generate "secdesk.json" config.services.secdesk.settings'';
      description = ''
        The generated configuration file, checked by `secdesk check-config`
        at build time unless {option}`services.secdesk.checkConfig` is off.
        Every job and the `secdesk` command on the system path get it as
        `SECDESK_CONFIG`; it holds no secret.
      '';
    };

    checkConfig = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Whether to run `secdesk check-config` on the generated configuration
        file when the system is built, so that a setting secdesk refuses (an
        unknown key, a member `rotation.order` names but `team` lacks, an
        unknown time zone or duration, a malformed mail address) fails the
        build instead of the first timer run. The check reads no secret and
        opens no database. It runs {option}`services.secdesk.package` on the
        build machine: turn it off when cross-compiling.
      '';
    };

    settings = mkOption {
      default = { };
      description = ''
        The configuration, written as JSON to
        {option}`services.secdesk.configFile` (null values are left out).
        Any key of secdesk's configuration file may be set; the program
        refuses unknown keys. Passwords do not belong here: set
        {option}`services.secdesk.imap.<name>.passwordFile` and
        {option}`services.secdesk.smtp.passwordFile`, and the module adds
        the matching `password_credential` keys.
      '';
      example = literalExpression ''
        {
          releases = [ "26.05" "26.11" "unstable" ];
          imap = [{
            name = "lists";
            host = "imap.example.org";
            tls = "implicit";
            user = "security";
            mailboxes = [ "INBOX" ];
          }];
          smtp = {
            host = "smtp.example.org";
            tls = "starttls";
            user = "security";
            from = "secdesk <security@example.org>";
          };
          report.to = [ "security-team@example.org" ];
        }
      '';
      type = types.submodule {
        freeformType = format.type;
        options = {
          database = mkOption {
            type = types.str;
            default = "${stateDir}/secdesk.sqlite";
            description = ''
              The SQLite database every job and the CLI share. Outside
              ${stateDir} its directory must exist and be writable by the
              group `secdesk`; the jobs are given write access to it.
            '';
          };
          outbox_dir = mkOption {
            type = types.str;
            default = "${stateDir}/outbox";
            description = ''
              Where mail is written as `.eml` files when there is no `smtp`.
              Outside ${stateDir} it must exist and be writable by the group
              `secdesk`.
            '';
          };
          releases = mkOption {
            type = types.listOf types.str;
            example = [
              "26.05"
              "26.11"
              "unstable"
            ];
            description = ''
              The supported releases, in the order reports show them. Every
              issue gets a status per release. No default: the list changes
              with every release and must be stated.
            '';
          };
          fixes = mkOption {
            default = null;
            description = ''
              Fix tracking from the package repository (`secdesk-fix-track`,
              hourly): `remote`, `branches` (release → branch), `channels`
              (release → channel branch), `backport_after`, `since`, and
              `repo`. Null: no fix tracking. With `remote` the job gets the
              network (and only it); without, something else must update the
              clone.
            '';
            example = literalExpression ''
              {
                remote = "https://github.com/NixOS/nixpkgs.git";
                branches = { "26.05" = "release-26.05"; "26.11" = "release-26.11"; unstable = "master"; };
                channels = { "26.05" = "nixos-26.05"; "26.11" = "nixos-26.11"; unstable = "nixos-unstable"; };
                backport_after = "7d";
                since = "2026-01-01";
              }
            '';
            type = types.nullOr (
              types.submodule {
                freeformType = format.type;
                options.repo = mkOption {
                  type = types.str;
                  default = "${stateDir}/nixpkgs";
                  description = ''
                    The local clone of the package repository, created by the
                    first run as a blob-less partial clone: commits, trees and
                    file names, no file contents. Disk cost: for nixpkgs about
                    3-4 GB (its history of some 800,000 commits and their
                    trees), growing by roughly 1 GB a year; a full clone would
                    be 5-6 GB. Outside ${stateDir} it must exist and be
                    writable by the group `secdesk`.
                  '';
                };
              }
            );
          };
          team = mkOption {
            type = types.listOf (types.submodule teamMemberModule);
            default = [ ];
            description = ''
              The security team. `rotation.order` names members by `id`.
            '';
          };
          imap = mkOption {
            type = types.listOf (types.submodule imapAccountModule);
            default = [ ];
            description = ''
              IMAP accounts to fetch from: `name`, `host`, `port`, `tls`
              (`implicit`, `starttls` or `none`), `user`, `mailboxes`, and
              optionally `ca_file`, `archive_mailbox`, `mirror`, `timeout`.
              The password comes from
              {option}`services.secdesk.imap.<name>.passwordFile`.
            '';
          };
        };
      };
    };

    imap = mkOption {
      default = { };
      description = ''
        Passwords of the IMAP accounts in
        {option}`services.secdesk.settings.imap`, by account name.
      '';
      example = literalExpression ''{ lists.passwordFile = "/run/secrets/secdesk-imap-lists"; }'';
      type = types.attrsOf (
        types.submodule {
          options.passwordFile = mkOption {
            # A string, not types.path: a Nix path literal would be copied
            # into the world-readable store.
            type = types.str;
            example = "/run/secrets/secdesk-imap-lists";
            description = ''
              A file holding the account's password (a trailing newline is
              ignored), outside the Nix store. It may be readable by root
              only: systemd hands it to the ingest job as the credential
              `imap-<name>`.
            '';
          };
        }
      );
    };

    smtp.passwordFile = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "/run/secrets/secdesk-smtp";
      description = ''
        A file holding the password of `settings.smtp.user`, outside the
        Nix store, possibly readable by root only: systemd hands it to the
        jobs that send mail as the credential `smtp`.
      '';
    };

    signal.contactsFile = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "/run/secrets/secdesk-signal-contacts";
      description = ''
        The Bat-Signal responders' private contact details, outside the Nix
        store, possibly readable by root only: systemd hands it to
        `secdesk-rotate-notify`, and to no other job, as the credential
        `signal-contacts`; the module sets
        `settings.signal.contacts_credential`. The file is JSON, member id
        to private addresses: `{ "alice": [ "alice-pager@example.net" ] }`.
      '';
    };

    signal.tokenSecretFile = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "/run/secrets/secdesk-signal-token";
      description = ''
        The key of the Bat-Signal's reply tokens (a long random string, as
        `openssl rand -hex 32` prints), outside the Nix store, possibly
        readable by root only: systemd hands it as the credential
        `signal-token` to `secdesk-rotate-notify`, which puts a token in
        every page, and to `secdesk-ingest`, which checks the tokens of
        replies; the module sets `settings.signal.token_secret_credential`.
        Without it pages offer only the CLI to ack.
      '';
    };

    signal.wakeRotateNotify = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Whether to install the path unit `secdesk-rotate-notify.path`,
        which starts `secdesk-rotate-notify.service` as soon as
        `secdesk signal raise` (or ack, decline, baton, resolve) writes
        `signal.trigger` beside the database, so that the first pages and
        the updates go out within seconds instead of at the next timer run.
        Installed only when `settings.signal` is set and the job is enabled.
      '';
    };

    metrics.enable = mkOption {
      type = types.bool;
      default = config.services.prometheus.exporters.node.enable;
      defaultText = literalExpression "config.services.prometheus.exporters.node.enable";
      description = ''
        Whether each job writes its metrics after every successful run
        (`secdesk-<job>.prom`: the time of its last success, messages
        ingested, mail queued and failed, open issues by state) into
        {option}`services.secdesk.metrics.directory`, for node exporter's
        textfile collector. See docs/monitoring.md for the alert on "no
        successful ingest for 1 h".
      '';
    };

    metrics.directory = mkOption {
      type = types.str;
      default = "/var/lib/prometheus-node-exporter-text-files";
      description = ''
        The directory node exporter's textfile collector reads; the module
        creates it (group `secdesk` may write, everyone may read) and sets
        `settings.metrics_dir` to it.
      '';
    };

    metrics.addCollectorFlag = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Whether to add `--collector.textfile.directory=` with
        {option}`services.secdesk.metrics.directory` to
        {option}`services.prometheus.exporters.node.extraFlags`. Turn it off
        when the exporter already reads a textfile directory, and point
        {option}`services.secdesk.metrics.directory` at that one.
      '';
    };

    heartbeat.urlFile = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "/run/secrets/secdesk-heartbeat-url";
      description = ''
        A file holding a heartbeat URL (healthchecks-style, `http://` or
        `https://`), fetched with a GET after every successful job run, for
        teams without Prometheus. The URL carries the check's token, so it
        stays outside the Nix store: systemd hands it to every job as the
        credential `heartbeat-url`, and the module sets
        `settings.heartbeat_url_credential`. Every job then gets network
        access.
      '';
    };

    ingest = jobOptions "ingest" jobs.ingest;
    rotateNotify = jobOptions "rotateNotify" jobs.rotateNotify;
    triageReport = jobOptions "triageReport" jobs.triageReport;
    advisoryRender = jobOptions "advisoryRender" jobs.advisoryRender;
    fixTrack = jobOptions "fixTrack" jobs.fixTrack;
    siteRender = jobOptions "siteRender" jobs.siteRender;

    site = {
      enable = lib.mkEnableOption ''
        the public static site: `secdesk-site-render` renders public
        information only (index, a page per issue, CVE, package and
        published advisory, rota, trends, an Atom feed and a JSON export)
        into {option}`services.secdesk.site.outDir`, hourly
        ({option}`services.secdesk.siteRender.startAt`), for any web server
        to serve'';
      outDir = mkOption {
        type = types.str;
        default = "/var/lib/secdesk-site";
        description = ''
          Where the site is written (`settings.site.out_dir`). Created
          owned by `secdesk` and the group
          {option}`services.secdesk.site.group`, mode 2750, outside the
          state directory (which only the group `secdesk` may enter).
        '';
      };
      group = mkOption {
        type = types.str;
        default = "secdesk";
        example = literalExpression "config.services.nginx.group";
        description = ''
          The group that may read the site: the web server's
          (`config.services.nginx.group`). Pages are 0640 in 0750
          directories that keep this group.
        '';
      };
    };
  };

  config = mkIf cfg.enable (mkMerge [
    {
      assertions =
        map (location: {
          assertion = secretProblem location.what location.path == null;
          message = toString (secretProblem location.what location.path);
        }) secretLocations
        ++ mapAttrsToList (name: _: {
          assertion = builtins.elem name accountNames;
          message = ''
            services.secdesk.imap.${name}.passwordFile is set, but
            services.secdesk.settings.imap has no account named "${name}"
            (it has: ${concatStringsSep ", " accountNames}).'';
        }) cfg.imap
        ++ map (account: {
          assertion = cfg.imap ? ${account.name} || account ? password_file;
          message = ''
            The IMAP account "${account.name}" has no password: set
            services.secdesk.imap.${account.name}.passwordFile.'';
        }) cfg.settings.imap
        ++ map (account: {
          assertion = !(cfg.imap ? ${account.name} && account ? password_file);
          message = ''
            The IMAP account "${account.name}" has both
            services.secdesk.imap.${account.name}.passwordFile and
            settings.imap password_file; keep only passwordFile.'';
        }) cfg.settings.imap
        ++ [
          {
            assertion = duplicates accountNames == [ ];
            message = "services.secdesk.settings.imap: account names must be unique; repeated: ${concatStringsSep ", " (duplicates accountNames)}.";
          }
          {
            assertion = duplicates memberIds == [ ];
            message = "services.secdesk.settings.team: member ids must be unique; repeated: ${concatStringsSep ", " (duplicates memberIds)}.";
          }
          {
            assertion = cfg.smtp.passwordFile == null || (hasSmtp && settingsSmtp ? from);
            message = "services.secdesk.smtp.passwordFile is set, but services.secdesk.settings.smtp (host, from, user, ...) is not.";
          }
          {
            assertion = !(cfg.smtp.passwordFile != null && settingsSmtp ? password_file);
            message = "services.secdesk: both smtp.passwordFile and settings.smtp.password_file are set; keep only smtp.passwordFile.";
          }
          {
            assertion = hasPrefix "/" cfg.settings.database && hasPrefix "/" cfg.settings.outbox_dir;
            message = "services.secdesk.settings.database and outbox_dir must be absolute paths: the jobs and the operators' CLI run in different directories and must find the same files.";
          }
          {
            assertion = cfg.settings.releases != [ ];
            message = "services.secdesk.settings.releases is empty: list the supported releases, as [ \"26.05\" \"26.11\" \"unstable\" ].";
          }
        ]
        # Each Bat-Signal secret given one way: the module's option (a
        # credential) or settings' own `*_file`/`*_credential`, not both; a
        # `*_credential` in settings names a credential no job loads.
        ++ concatMap (
          key:
          let
            option = signalSecretOption.${key};
            file = signalSecretFile.${key};
          in
          [
            {
              assertion = !(file != null && settingsSignal ? "${key}_file");
              message = "services.secdesk: both ${option} and settings.signal.${key}_file are set; keep only ${option}.";
            }
            {
              assertion = file != null || !(settingsSignal ? "${key}_credential");
              message = "services.secdesk.settings.signal.${key}_credential names a credential that no job loads; set ${option} instead, and the module names it.";
            }
          ]
        ) (builtins.attrNames signalSecretOption)
        ++ (
          let
            rotation = cfg.settings.rotation or null;
            unknown = filter (id: !(builtins.elem id memberIds)) (rotation.order or [ ]);
          in
          optional (rotation != null) {
            assertion = unknown == [ ];
            message = "services.secdesk.settings.rotation.order names ${concatStringsSep ", " unknown}, not in settings.team (ids: ${concatStringsSep ", " memberIds}).";
          }
        );

      warnings =
        concatMap (
          account:
          optional (account ? password_file) ''
            services.secdesk.settings.imap: account "${account.name}" reads its password from
            password_file, which the jobs must be able to read as user secdesk; prefer
            services.secdesk.imap.${account.name}.passwordFile, which systemd hands over as a
            credential and may stay readable by root only.''
        ) cfg.settings.imap
        ++ optional (settingsSmtp ? password_file) ''
          services.secdesk.settings.smtp.password_file must be readable by user secdesk;
          prefer services.secdesk.smtp.passwordFile, handed over as a systemd credential.''
        ++ concatMap (
          key:
          optional (settingsSignal ? "${key}_file") ''
            services.secdesk.settings.signal.${key}_file must be readable by user secdesk (and
            by nobody else: secdesk refuses it otherwise), and every job can read it; prefer
            ${signalSecretOption.${key}}, which systemd hands over as a credential only to
            the jobs that need it.''
        ) (builtins.attrNames signalSecretOption);

      # The credential names go into the JSON; the paths never do.
      services.secdesk.settings = mkMerge [
        (mkIf cfg.site.enable { site.out_dir = mkDefault cfg.site.outDir; })
        (mkIf (cfg.smtp.passwordFile != null) { smtp.password_credential = smtpCredentialName; })
        (mkIf (cfg.signal.contactsFile != null) {
          signal.contacts_credential = signalContactsCredentialName;
        })
        (mkIf (cfg.signal.tokenSecretFile != null) {
          signal.token_secret_credential = signalTokenCredentialName;
        })
        (mkIf (cfg.heartbeat.urlFile != null) { heartbeat_url_credential = heartbeatCredentialName; })
        (mkIf (metricsDir != null) { metrics_dir = mkDefault metricsDir; })
      ];

      users.users.secdesk = {
        isSystemUser = true;
        group = "secdesk";
        description = "secdesk jobs";
      };
      # Operators join this group (users.users.<name>.extraGroups) to run
      # the CLI on the shared database.
      users.groups.secdesk = { };

      # The wrappers, and below them the package itself for what it has
      # beside its programs: man pages (`man secdesk`, `man secdesk-rota`)
      # and bash, zsh and fish completions. Its own bin/ loses to the
      # wrappers (lowPrio), so every command still gets the configuration.
      environment.systemPackages = map wrapper wrappedPrograms ++ [ (lib.lowPrio cfg.package) ];
    }
    {
      systemd.services = lib.mapAttrs' (
        jobName: job: lib.nameValuePair job.unit (mkService jobName job)
      ) enabledJobs;
      systemd.timers = lib.mapAttrs' (
        jobName: job: lib.nameValuePair job.unit (mkTimer jobName job)
      ) enabledJobs;
    }
    (mkIf cfg.site.enable {
      # The site's directory: the job writes it, the web server's group
      # reads it; setgid so new pages and folders keep that group.
      systemd.tmpfiles.rules = [ "d ${cfg.site.outDir} 2750 secdesk ${cfg.site.group} - -" ];
      assertions = [
        {
          assertion = hasPrefix "/" cfg.site.outDir && !(underStateDir cfg.site.outDir);
          message = "services.secdesk.site.outDir must be an absolute path outside ${stateDir}, which the web server's group cannot enter.";
        }
      ];
    })
    (mkIf (metricsDir != null) {
      # Readable by the exporter whatever user it runs as; writable by the
      # jobs (group secdesk), which replace their files by rename.
      systemd.tmpfiles.rules = [ "d ${metricsDir} 0775 root secdesk - -" ];
      services.prometheus.exporters.node.extraFlags = mkIf cfg.metrics.addCollectorFlag [
        "--collector.textfile.directory=${metricsDir}"
      ];
    })
    (mkIf (hasSignal && cfg.signal.wakeRotateNotify && cfg.rotateNotify.enable) {
      # `secdesk signal raise` writes the trigger; systemd (as root, through
      # inotify) starts the job at once. A trigger written while the job
      # runs is picked up by its next timer run, a minute later at most.
      systemd.paths.secdesk-rotate-notify = {
        description = "secdesk: send Bat-Signal pages and updates as soon as they are recorded";
        wantedBy = [ "paths.target" ];
        pathConfig = {
          PathChanged = signalTrigger;
          Unit = "secdesk-rotate-notify.service";
        };
      };
    })
  ]);
}
