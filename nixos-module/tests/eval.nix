# The module evaluation test: `lib.evalModules` over nixos-module/default.nix
# and the stubs of stubs.nix, asserting the units, timers, credentials,
# hardening, assertions and the generated JSON for the documented example
# (example.nix, shown verbatim in docs/nixos.md) and for a set of edge cases.
#
#   nix-instantiate --store dummy:// --eval --strict --readonly-mode \
#     nixos-module/tests/eval.nix --argstr lib "$NIXPKGS_LIB"
#
# `lib` is nixpkgs' lib: a path to it (a string or a Nix path) or the lib
# itself (the flake passes `nixpkgs.lib`). Returns true, or throws naming
# every check that failed with what it found.
{ lib }:
(
  { lib }:
  let
    inherit (lib)
      all
      attrNames
      concatMapStringsSep
      hasInfix
      mkForce
      ;
    t = import ./lib.nix { inherit lib; };
    inherit (t) stubs evalConfig failedAssertions;
    # The accepted configurations, shared with json.nix (which runs their
    # JSON through secdesk's parser) and units.nix.
    configs = import ./configs.nix { inherit lib stubs; };

    package = stubs.pkgs.secdesk;
    jobUnits = [
      "secdesk-advisory-render"
      "secdesk-ingest"
      "secdesk-rotate-notify"
      "secdesk-triage-report"
    ];

    # Every job program is wrapped, fix tracking's and the site's too
    # (their units only exist once `settings.fixes` is set, or with
    # `site.enable`).
    wrappedJobs = [
      "secdesk-advisory-render"
      "secdesk-fix-track"
      "secdesk-ingest"
      "secdesk-rotate-notify"
      "secdesk-triage-report"
    ];

    # A check: a name, whether it holds, and what was found.
    check = name: ok: found: { inherit name ok found; };
    expectEqual = name: found: expected: check name (found == expected) found;

    # Whether evaluating `value` fully throws (a type error, say).
    throws = value: !(builtins.tryEval (builtins.deepSeq value true)).success;

    hasAssertionMatching =
      config: needles: builtins.any (m: all (n: hasInfix n m) needles) (failedAssertions config);

    inherit (configs) minimal;

    # The documented example.
    example = evalConfig configs.example;
    services = example.systemd.services;
    timers = example.systemd.timers;
    exampleSecdesk = example.services.secdesk;
    # What every unit gets: the checked file, built from the generated one.
    configFile = exampleSecdesk.configFile;
    generated = t.generatedConfigFile example;
    json = builtins.fromJSON generated.jsonText;
    rendered = t.units example;

    # Hardening every job must carry, with or without network.
    hardening = {
      User = "secdesk";
      Group = "secdesk";
      StateDirectory = "secdesk";
      StateDirectoryMode = "2770";
      UMask = "0007";
      ProtectSystem = "strict";
      ProtectHome = true;
      PrivateTmp = true;
      PrivateDevices = true;
      DevicePolicy = "closed";
      PrivateMounts = true;
      PrivateUsers = true;
      NoNewPrivileges = true;
      CapabilityBoundingSet = "";
      AmbientCapabilities = "";
      SystemCallFilter = [
        "@system-service"
        "~@privileged"
        "~@resources"
      ];
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
      RestrictSUIDSGID = true;
      RemoveIPC = true;
    };
    missingHardening =
      serviceConfig:
      builtins.filter (key: !(serviceConfig ? ${key}) || serviceConfig.${key} != hardening.${key}) (
        attrNames hardening
      );

    networkJob = unit: {
      after = unit.after;
      wants = unit.wants;
      families = unit.serviceConfig.RestrictAddressFamilies;
      private = unit.serviceConfig.PrivateNetwork or false;
      deny = unit.serviceConfig.IPAddressDeny or null;
    };
    onNetwork = {
      after = [ "network-online.target" ];
      wants = [ "network-online.target" ];
      families = [
        "AF_INET"
        "AF_INET6"
        "AF_UNIX"
      ];
      private = false;
      deny = null;
    };
    offNetwork = {
      after = [ ];
      wants = [ ];
      families = [ "AF_UNIX" ];
      private = true;
      deny = "any";
    };

    exampleChecks = [
      (expectEqual "example: every assertion holds" (failedAssertions example) [ ])
      (expectEqual "example: no warnings" example.warnings [ ])
      (expectEqual "example: one service per job" (attrNames services) jobUnits)
      (expectEqual "example: one timer per job" (attrNames timers) jobUnits)
    ]
    ++ map (
      unit:
      expectEqual "example: ${unit} runs its binary of the package" services.${unit}.serviceConfig.ExecStart
        "${package}/bin/${unit}"
    ) jobUnits
    ++ map (
      unit:
      expectEqual "example: ${unit} is a oneshot left alone by switches"
        {
          inherit (services.${unit}.serviceConfig) Type;
          inherit (services.${unit}) restartIfChanged;
        }
        {
          Type = "oneshot";
          restartIfChanged = false;
        }
    ) jobUnits
    ++ map (
      unit:
      expectEqual "example: ${unit} carries every hardening setting" (missingHardening
        services.${unit}.serviceConfig
      ) [ ]
    ) jobUnits
    ++ map (
      unit:
      expectEqual "example: ${unit} gets the configuration file as SECDESK_CONFIG"
        services.${unit}.environment.SECDESK_CONFIG
        "${configFile}"
    ) jobUnits
    ++ map (
      unit: expectEqual "example: ${unit} may use the network" (networkJob services.${unit}) onNetwork
    ) jobUnits
    ++ map (
      unit:
      expectEqual "example: ${unit} writes only its state directory"
        services.${unit}.serviceConfig.ReadWritePaths
        [ ]
    ) jobUnits
    ++ [
      (expectEqual "example: ingest gets exactly the IMAP passwords"
        services.secdesk-ingest.serviceConfig.LoadCredential
        [
          "imap-lists:/run/secrets/secdesk/imap-lists"
          "imap-vendors:/run/secrets/secdesk/imap-vendors"
        ]
      )
      (expectEqual "example: rotate-notify gets exactly the SMTP password"
        services.secdesk-rotate-notify.serviceConfig.LoadCredential
        [ "smtp:/run/secrets/secdesk/smtp" ]
      )
      (expectEqual "example: triage-report gets exactly the SMTP password"
        services.secdesk-triage-report.serviceConfig.LoadCredential
        [ "smtp:/run/secrets/secdesk/smtp" ]
      )
      (expectEqual "example: the timers' schedules" (lib.mapAttrs (_: timer: timer.timerConfig) timers) {
        secdesk-advisory-render = {
          OnCalendar = [ "hourly" ];
          Persistent = true;
          RandomizedDelaySec = "0";
        };
        secdesk-ingest = {
          OnCalendar = [ "*:0/10" ];
          Persistent = true;
          RandomizedDelaySec = "0";
        };
        secdesk-rotate-notify = {
          OnCalendar = [ "*:0/5" ];
          Persistent = true;
          RandomizedDelaySec = "0";
        };
        secdesk-triage-report = {
          OnCalendar = [ "*-*-* 06:00:00 UTC" ];
          Persistent = true;
          RandomizedDelaySec = "0";
        };
      })
      (expectEqual "example: the timers start at boot" (lib.mapAttrs (_: timer: timer.wantedBy) timers) {
        secdesk-advisory-render = [ "timers.target" ];
        secdesk-ingest = [ "timers.target" ];
        secdesk-rotate-notify = [ "timers.target" ];
        secdesk-triage-report = [ "timers.target" ];
      })
      (expectEqual "example: the JSON has only keys secdesk knows" (
        builtins.filter (
          key:
          !(builtins.elem key [
            "database"
            "releases"
            "imap"
            "smtp"
            "outbox_dir"
            "team"
            "rotation"
            "report"
            "runbooks"
          ])
        ) (attrNames json)
      ) [ ])
      (expectEqual "example: the database and outbox are in the state directory"
        {
          inherit (json) database outbox_dir;
        }
        {
          database = "/var/lib/secdesk/secdesk.sqlite";
          outbox_dir = "/var/lib/secdesk/outbox";
        }
      )
      (expectEqual "example: the JSON names the IMAP credentials"
        (map (account: {
          inherit (account) name;
          credential = account.password_credential or null;
          file = account.password_file or null;
        }) json.imap)
        [
          {
            name = "lists";
            credential = "imap-lists";
            file = null;
          }
          {
            name = "vendors";
            credential = "imap-vendors";
            file = null;
          }
        ]
      )
      (expectEqual "example: the JSON names the SMTP credential"
        {
          credential = json.smtp.password_credential or null;
          file = json.smtp.password_file or null;
        }
        {
          credential = "smtp";
          file = null;
        }
      )
      (check "example: the JSON holds no secret's path" (!(hasInfix "/run/secrets" generated.jsonText))
        generated.jsonText
      )
      (check "example: the JSON holds no null" (!(hasInfix "null" generated.jsonText)) generated.jsonText)
      (expectEqual "example: the units' configuration file is the checked one, built from the generated file"
        {
          checkConfig = exampleSecdesk.checkConfig;
          file = configFile.name;
          input = configFile.configFile.name;
          generated = generated.name;
        }
        {
          checkConfig = true;
          file = "secdesk-checked.json";
          input = "secdesk.json";
          generated = "secdesk.json";
        }
      )
      (check "example: the check runs the package's `secdesk check-config` on the generated file, then copies it"
        (
          hasInfix ''${package}/bin/secdesk check-config --config "$configFile"'' configFile.buildCommand
          && hasInfix ''cp "$configFile" "$out"'' configFile.buildCommand
          && hasInfix "exit 1" configFile.buildCommand
        )
        configFile.buildCommand
      )
      (expectEqual "example: team members keep exactly the keys given" (map attrNames json.team) [
        [
          "email"
          "id"
          "name"
          "roles"
          "timezone"
          "unix_user"
        ]
        [
          "email"
          "id"
          "name"
          "roles"
          "timezone"
          "unix_user"
        ]
        [
          "email"
          "id"
          "name"
          "roles"
          "timezone"
          "unix_user"
        ]
      ])
      (expectEqual "example: freeform settings pass through" json.runbooks [
        {
          match = [ "openssl" ];
          url = "https://wiki.example.org/security/runbooks/openssl";
          title = "OpenSSL releases";
        }
      ])
      (expectEqual "example: a static system user and group" {
        user = {
          inherit (example.users.users.secdesk) isSystemUser group;
        };
        group = example.users.groups ? secdesk;
      } {
        user = {
          isSystemUser = true;
          group = "secdesk";
        };
        group = true;
      })
      (expectEqual "example: the operators are in the group"
        (map (name: builtins.elem "secdesk" example.users.users.${name}.extraGroups) [
          "alice"
          "bob"
          "carol"
        ])
        [
          true
          true
          true
        ]
      )
      (
        let
          wrappers = builtins.filter (p: p.name == "secdesk") example.environment.systemPackages;
          text = (builtins.head wrappers).text;
        in
        check "example: a `secdesk` wrapper with SECDESK_CONFIG and umask 0007 is on the system path" (
          builtins.length wrappers == 1
          && hasInfix "export SECDESK_CONFIG=${configFile}\n" text
          && hasInfix "umask 0007\n" text
          && hasInfix "exec ${package}/bin/secdesk \"$@\"" text
        ) (map (p: p.text or p.name) example.environment.systemPackages)
      )
      (expectEqual "example: the job programs are wrapped too, and the package's man pages and completions are installed below the wrappers"
        (map (p: {
          inherit (p) name;
          priority = p.meta.priority or null;
        }) example.environment.systemPackages)
        (
          map (name: {
            inherit name;
            priority = null;
          }) ([ "secdesk" ] ++ lib.sort (a: b: a < b) (wrappedJobs ++ [ "secdesk-site-render" ]))
          ++ [
            {
              inherit (package) name;
              priority = 10;
            }
          ]
        )
      )
      (check "example: the rendered ingest unit loads the credentials by name" (
        hasInfix "LoadCredential=imap-lists:/run/secrets/secdesk/imap-lists\n"
          rendered."secdesk-ingest.service"
      ) rendered."secdesk-ingest.service")
    ];

    # Edge cases, each a small configuration of its own.
    withModules = modules: evalConfig { modules = [ minimal ] ++ modules; };

    quiet = evalConfig configs.quiet;
    # The public site (issue 17), served by a web server's group.
    site = evalConfig {
      modules = [
        ./example.nix
        {
          services.secdesk.site.enable = true;
          services.secdesk.site.group = "nginx";
        }
      ];
    };
    siteInState = evalConfig {
      modules = [
        ./example.nix
        {
          services.secdesk.site.enable = true;
          services.secdesk.site.outDir = "/var/lib/secdesk/site";
        }
      ];
    };
    monitored = evalConfig configs.monitored;
    textfiles = "/var/lib/prometheus-node-exporter-text-files";
    storeImap = evalConfig {
      modules = [
        ./example.nix
        { services.secdesk.imap.lists.passwordFile = mkForce "/nix/store/0000-imap-password"; }
      ];
    };
    storeSmtp = evalConfig {
      modules = [
        ./example.nix
        { services.secdesk.smtp.passwordFile = mkForce "${builtins.storeDir}/0000-smtp-password"; }
      ];
    };
    pathLiteral = evalConfig {
      modules = [
        ./example.nix
        { services.secdesk.imap.lists.passwordFile = mkForce ./example.nix; }
      ];
    };
    storeInSettings = withModules [
      {
        services.secdesk.settings.imap = [
          {
            name = "lists";
            host = "imap.example.org";
            user = "u";
            password_file = "/nix/store/0000-password";
          }
        ];
      }
    ];
    relativeSecret = withModules [
      {
        services.secdesk.settings.imap = [
          {
            name = "lists";
            host = "h";
            user = "u";
          }
        ];
        services.secdesk.imap.lists.passwordFile = "secrets/imap";
      }
    ];
    ghostAccount = withModules [ { services.secdesk.imap.ghost.passwordFile = "/run/secrets/ghost"; } ];
    noPassword = withModules [
      {
        services.secdesk.settings.imap = [
          {
            name = "lists";
            host = "h";
            user = "u";
          }
        ];
      }
    ];
    duplicateAccounts = withModules [
      {
        services.secdesk.settings.imap = [
          {
            name = "lists";
            host = "a";
            user = "u";
          }
          {
            name = "lists";
            host = "b";
            user = "u";
          }
        ];
        services.secdesk.imap.lists.passwordFile = "/run/secrets/lists";
      }
    ];
    smtpWithoutServer = withModules [ { services.secdesk.smtp.passwordFile = "/run/secrets/smtp"; } ];
    unknownOnCall = withModules [
      {
        services.secdesk.settings.team = [ { id = "alice"; } ];
        services.secdesk.settings.rotation = {
          start = "2026-01-05";
          order = [
            "alice"
            "mallory"
          ];
        };
      }
    ];
    relativeDatabase = withModules [ { services.secdesk.settings.database = "secdesk.sqlite"; } ];
    outsideDatabase = evalConfig configs.outsideDatabase;
    disabled = evalConfig {
      modules = [
        ./example.nix
        { services.secdesk.enable = mkForce false; }
      ];
    };
    noIngest = evalConfig configs.noIngest;
    schedules = evalConfig configs.schedules;
    signal = evalConfig configs.signal;
    signalJson = builtins.fromJSON (t.jsonText signal);
    signalRendered = t.units signal;
    signalContactsOnly = evalConfig configs.signalContactsOnly;
    signalOutsideDatabase = evalConfig configs.signalOutsideDatabase;
    signalNoWake = evalConfig configs.signalNoWake;
    # Advisories: the settings pass through; the timer and the out_dir
    # outside the state directory reach the render job.
    advisory = withModules [
      {
        services.secdesk.settings.advisory = {
          id_prefix = "NIXSA";
          sender = "alice";
          list = "announce@example.org";
          out_dir = "/srv/advisories";
        };
        services.secdesk.advisoryRender.startAt = "daily";
      }
    ];
    fixes = withModules [
      {
        services.secdesk.settings.releases = mkForce [ "26.05" "unstable" ];
        services.secdesk.settings.fixes = {
          remote = "https://github.com/NixOS/nixpkgs.git";
          branches = { "26.05" = "release-26.05"; unstable = "master"; };
          channels = { "26.05" = "nixos-26.05"; unstable = "nixos-unstable"; };
          since = "2026-01-01";
        };
      }
    ];
    fixesNoRemote = withModules [
      {
        services.secdesk.settings.fixes = {
          repo = "/srv/nixpkgs";
          branches = { unstable = "master"; };
          since = "2026-01-01";
        };
      }
    ];
    signalNoRotateNotify = withModules [
      {
        services.secdesk.signal.tokenSecretFile = "/run/secrets/secdesk/signal-token";
        services.secdesk.rotateNotify.enable = false;
      }
    ];
    # Contradictory or unsafe Bat-Signal secrets.
    signalBothContacts = withModules [
      {
        services.secdesk.signal.contactsFile = "/run/secrets/secdesk/signal-contacts";
        services.secdesk.settings.signal.contacts_file = "/etc/secdesk/contacts.json";
      }
    ];
    signalBothToken = withModules [
      {
        services.secdesk.signal.tokenSecretFile = "/run/secrets/secdesk/signal-token";
        services.secdesk.settings.signal.token_secret_file = "/etc/secdesk/token";
      }
    ];
    signalLooseCredential = withModules [
      { services.secdesk.settings.signal.token_secret_credential = "my-token"; }
    ];
    signalStoreToken = withModules [
      { services.secdesk.signal.tokenSecretFile = "${builtins.storeDir}/0000-signal-token"; }
    ];
    signalStoreContactsInSettings = withModules [
      { services.secdesk.settings.signal.contacts_file = "/nix/store/0000-contacts.json"; }
    ];
    signalTokenInSettings = withModules [
      { services.secdesk.settings.signal.token_secret_file = "/etc/secdesk/token"; }
    ];
    signalTokenLiteral = withModules [ { services.secdesk.signal.tokenSecretFile = ./example.nix; } ];
    flakePackage = configs.fromFlake.self.packages.x86_64-linux.default;
    fromFlake = evalConfig configs.fromFlake;
    noReleases = evalConfig { modules = [ { services.secdesk.enable = true; } ]; };
    userSettings = evalConfig configs.userSettings;
    unchecked = evalConfig configs.unchecked;
    uncheckedFile = unchecked.services.secdesk.configFile;

    edgeChecks = [
      (expectEqual "minimal: every assertion holds" (failedAssertions quiet) [ ])
      (expectEqual "minimal: the same three jobs" (attrNames quiet.systemd.services) jobUnits)
    ]
    ++ map (
      unit:
      expectEqual "minimal: ${unit} talks to no server, so it gets no network"
        (networkJob quiet.systemd.services.${unit})
        offNetwork
    ) jobUnits
    ++ map (
      unit:
      expectEqual "minimal: ${unit} loads no credential"
        quiet.systemd.services.${unit}.serviceConfig.LoadCredential
        [ ]
    ) jobUnits
    ++ [
      (expectEqual "minimal: no metrics without node exporter"
        ((builtins.fromJSON (t.jsonText quiet)) ? metrics_dir)
        false
      )
      (expectEqual "monitored: every assertion holds" (failedAssertions monitored) [ ])
      (check "a heartbeat URL file in the Nix store is refused" (hasAssertionMatching (evalConfig {
        modules = [
          minimal
          { services.secdesk.heartbeat.urlFile = "/nix/store/0000-heartbeat-url"; }
        ];
      }) [ "services.secdesk.heartbeat.urlFile" "/nix/store/0000-heartbeat-url" ]) (failedAssertions quiet))
      (expectEqual "monitored: node exporter reads the jobs' textfiles"
        monitored.services.prometheus.exporters.node.extraFlags
        [ "--collector.textfile.directory=${textfiles}" ]
      )
      (expectEqual "monitored: the directory exists, group secdesk writes it"
        monitored.systemd.tmpfiles.rules
        [ "d ${textfiles} 0775 root secdesk - -" ]
      )
      (expectEqual "monitored: the JSON names the directory and the heartbeat credential, never its path"
        (lib.filterAttrs (k: _: k == "metrics_dir" || lib.hasPrefix "heartbeat" k) (
          builtins.fromJSON (t.jsonText monitored)
        ))
        {
          metrics_dir = textfiles;
          heartbeat_url_credential = "heartbeat-url";
        }
      )
    ]
    ++ map (
      unit:
      expectEqual "monitored: ${unit} writes the textfiles, gets the heartbeat URL and the network"
        {
          writes = builtins.elem textfiles monitored.systemd.services.${unit}.serviceConfig.ReadWritePaths;
          credentials = monitored.systemd.services.${unit}.serviceConfig.LoadCredential;
          network = networkJob monitored.systemd.services.${unit};
        }
        {
          writes = true;
          credentials = [ "heartbeat-url:/run/secrets/secdesk-heartbeat" ];
          network = onNetwork;
        }
    ) jobUnits
    ++ [
      (expectEqual "minimal: the JSON holds the defaults and the releases" (builtins.fromJSON
        (t.jsonText quiet)
      ) {
        database = "/var/lib/secdesk/secdesk.sqlite";
        outbox_dir = "/var/lib/secdesk/outbox";
        releases = [ "unstable" ];
        imap = [ ];
        team = [ ];
      })
      (check "an IMAP password in the Nix store is refused" (hasAssertionMatching storeImap [
        "services.secdesk.imap.lists.passwordFile"
        "/nix/store/0000-imap-password"
        "Nix store"
      ]) (failedAssertions storeImap))
      (check "an SMTP password in the Nix store is refused" (hasAssertionMatching storeSmtp [
        "services.secdesk.smtp.passwordFile"
        "Nix store"
      ]) (failedAssertions storeSmtp))
      (check "a Nix path literal as passwordFile is a type error" (throws
        pathLiteral.services.secdesk.imap.lists.passwordFile
      ) null)
      (check "a password_file in the Nix store inside settings is refused" (hasAssertionMatching
        storeInSettings
        [
          "settings.imap"
          "password_file"
          "Nix store"
        ]
      ) (failedAssertions storeInSettings))
      (check "a relative passwordFile is refused" (hasAssertionMatching relativeSecret [
        "services.secdesk.imap.lists.passwordFile"
        "not an absolute path"
      ]) (failedAssertions relativeSecret))
      (check "a passwordFile for an account not in settings.imap is refused" (hasAssertionMatching
        ghostAccount
        [
          "services.secdesk.imap.ghost.passwordFile"
          "no account named \"ghost\""
        ]
      ) (failedAssertions ghostAccount))
      (check "an IMAP account without a password is refused" (hasAssertionMatching noPassword [
        "\"lists\" has no password"
      ]) (failedAssertions noPassword))
      (check "two IMAP accounts of one name are refused" (hasAssertionMatching duplicateAccounts [
        "names must be unique"
        "lists"
      ]) (failedAssertions duplicateAccounts))
      (check "an SMTP password without settings.smtp is refused" (hasAssertionMatching smtpWithoutServer [
        "services.secdesk.smtp.passwordFile is set"
      ]) (failedAssertions smtpWithoutServer))
      (check "a rotation naming someone outside the team is refused" (hasAssertionMatching unknownOnCall [
        "mallory"
        "not in settings.team"
      ]) (failedAssertions unknownOnCall))
      (check "a relative database path is refused" (hasAssertionMatching relativeDatabase [
        "must be absolute paths"
      ]) (failedAssertions relativeDatabase))
      (expectEqual "a database outside the state directory gets its directory writable, for the WAL" (map
        (unit: outsideDatabase.systemd.services.${unit}.serviceConfig.ReadWritePaths)
        jobUnits
      ) (map (_: [ "/srv/secdesk" "/srv/secdesk/outbox" ]) jobUnits))
      (expectEqual "disabled: no unit, no user, no assertion"
        {
          services = disabled.systemd.services;
          timers = disabled.systemd.timers;
          users = disabled.users.users ? secdesk;
          assertions = disabled.assertions;
        }
        {
          services = { };
          timers = { };
          users = false;
          assertions = [ ];
        }
      )
      (expectEqual "a disabled job has neither service nor timer"
        {
          services = attrNames noIngest.systemd.services;
          timers = attrNames noIngest.systemd.timers;
        }
        {
          services = [
            "secdesk-advisory-render"
            "secdesk-rotate-notify"
            "secdesk-triage-report"
          ];
          timers = [
            "secdesk-advisory-render"
            "secdesk-rotate-notify"
            "secdesk-triage-report"
          ];
        }
      )
      (expectEqual "advisory: settings pass through, the schedule and out_dir reach the render job"
        {
          json = (builtins.fromJSON (t.jsonText advisory)).advisory;
          schedule = advisory.systemd.timers.secdesk-advisory-render.timerConfig.OnCalendar;
          writable = builtins.elem "/srv/advisories" advisory.systemd.services.secdesk-advisory-render.serviceConfig.ReadWritePaths;
        }
        {
          json = {
            id_prefix = "NIXSA";
            sender = "alice";
            list = "announce@example.org";
            out_dir = "/srv/advisories";
          };
          schedule = [ "daily" ];
          writable = true;
        }
      )
      (expectEqual "fixes: an hourly fix-track job with git, the clone under the state directory, network only for the fetch"
        {
          repo = (builtins.fromJSON (t.jsonText fixes)).fixes.repo;
          schedule = fixes.systemd.timers.secdesk-fix-track.timerConfig.OnCalendar;
          path = map (p: p.name) fixes.systemd.services.secdesk-fix-track.path;
          families = fixes.systemd.services.secdesk-fix-track.serviceConfig.RestrictAddressFamilies;
          reportFamilies = fixes.systemd.services.secdesk-triage-report.serviceConfig.RestrictAddressFamilies;
          noRemote = fixesNoRemote.systemd.services.secdesk-fix-track.serviceConfig.IPAddressDeny or null;
          writable = builtins.elem "/srv/nixpkgs" fixesNoRemote.systemd.services.secdesk-fix-track.serviceConfig.ReadWritePaths;
          withoutFixes = quiet.systemd.services ? secdesk-fix-track;
        }
        {
          repo = "/var/lib/secdesk/nixpkgs";
          schedule = [ "hourly" ];
          path = [ "git-2.47.3" ];
          families = [
            "AF_INET"
            "AF_INET6"
            "AF_UNIX"
          ];
          reportFamilies = [ "AF_UNIX" ];
          noRemote = "any";
          writable = true;
          withoutFixes = false;
        }
      )
      (expectEqual "a job's schedule options reach its timer"
        schedules.systemd.timers.secdesk-ingest.timerConfig
        {
          OnCalendar = [
            "*:0/2"
            "*:1/2"
          ];
          Persistent = false;
          RandomizedDelaySec = "30s";
        }
      )
      (expectEqual "signal: every assertion holds, no warning" {
        failed = failedAssertions signal;
        inherit (signal) warnings;
      } {
        failed = [ ];
        warnings = [ ];
      })
      (expectEqual "signal: rotate-notify gets the contacts and the token key, ingest the key only, the report neither"
        {
          rotate = signal.systemd.services.secdesk-rotate-notify.serviceConfig.LoadCredential;
          ingest = signal.systemd.services.secdesk-ingest.serviceConfig.LoadCredential;
          report = signal.systemd.services.secdesk-triage-report.serviceConfig.LoadCredential;
        }
        {
          rotate = [
            "smtp:/run/secrets/secdesk/smtp"
            "signal-contacts:/run/secrets/secdesk/signal-contacts"
            "signal-token:/run/secrets/secdesk/signal-token"
          ];
          ingest = [
            "imap-lists:/run/secrets/secdesk/imap-lists"
            "imap-vendors:/run/secrets/secdesk/imap-vendors"
            "signal-token:/run/secrets/secdesk/signal-token"
          ];
          report = [ "smtp:/run/secrets/secdesk/smtp" ];
        }
      )
      (expectEqual "signal: the JSON names both secrets by credential, beside the settings given"
        signalJson.signal
        {
          contacts_credential = "signal-contacts";
          token_secret_credential = "signal-token";
          roles = {
            coordination = [
              "alice"
              "dmitri"
            ];
            package-fixing = [
              "carol"
              "alice"
            ];
            qa = [
              "bob"
              "carol"
            ];
            release-engineering = [
              "dmitri"
              "bob"
            ];
          };
          ack_timeout = "10m";
          rounds = 2;
          war_room = "https://matrix.to/#/#sec-incident:example.org";
          checklist = "https://wiki.example.org/bat-signal";
          reply_to = "security@example.org";
          core_packages = [ "openssl" ];
        }
      )
      (check "signal: the JSON holds no secret's path" (!(hasInfix "/run/secrets" (t.jsonText signal))) (
        t.jsonText signal
      ))
      (expectEqual "signal: a member's waking hours reach the JSON; unset, they are left to secdesk"
        (map (member: member.awake or null) signalJson.team)
        [
          null
          null
          null
          "07:00-23:00"
        ]
      )
      (expectEqual "signal: the path unit starts rotate-notify when the trigger beside the database changes"
        (lib.mapAttrs (_: unit: {
          inherit (unit) wantedBy pathConfig;
        }) signal.systemd.paths)
        {
          secdesk-rotate-notify = {
            wantedBy = [ "paths.target" ];
            pathConfig = {
              PathChanged = "/var/lib/secdesk/signal.trigger";
              Unit = "secdesk-rotate-notify.service";
            };
          };
        }
      )
      (check "signal: the rendered path unit watches the trigger" (
        hasInfix "[Path]\nPathChanged=/var/lib/secdesk/signal.trigger\nUnit=secdesk-rotate-notify.service\n"
          signalRendered."secdesk-rotate-notify.path"
      ) signalRendered."secdesk-rotate-notify.path")
      (expectEqual "signal: rotate-notify runs every minute, the other jobs as before"
        (lib.mapAttrs (_: timer: timer.timerConfig.OnCalendar) signal.systemd.timers)
        {
          secdesk-advisory-render = [ "hourly" ];
          secdesk-ingest = [ "*:0/10" ];
          secdesk-rotate-notify = [ "minutely" ];
          secdesk-triage-report = [ "*-*-* 06:00:00 UTC" ];
        }
      )
      (expectEqual "signal: the jobs keep their hardening" (map (
        unit: missingHardening signal.systemd.services.${unit}.serviceConfig
      ) jobUnits) (map (_: [ ]) jobUnits))
      (expectEqual "without the Bat-Signal: no path unit, rotate-notify every 5 minutes"
        {
          example = example.systemd.paths;
          quiet = quiet.systemd.paths;
          schedule = quiet.systemd.timers.secdesk-rotate-notify.timerConfig.OnCalendar;
        }
        {
          example = { };
          quiet = { };
          schedule = [ "*:0/5" ];
        }
      )
      (expectEqual "signal, contacts only: settings.signal exists through the option; only rotate-notify loads it"
        {
          json = (builtins.fromJSON (t.jsonText signalContactsOnly)).signal;
          credentials = map (
            unit: signalContactsOnly.systemd.services.${unit}.serviceConfig.LoadCredential
          ) jobUnits;
          paths = attrNames signalContactsOnly.systemd.paths;
        }
        {
          json = {
            contacts_credential = "signal-contacts";
          };
          credentials = [
            [ ]
            [ ]
            [ "signal-contacts:/run/secrets/secdesk/signal-contacts" ]
            [ ]
          ];
          paths = [ "secdesk-rotate-notify" ];
        }
      )
      (expectEqual "signal, database outside the state directory: the trigger lies beside it"
        signalOutsideDatabase.systemd.paths.secdesk-rotate-notify.pathConfig.PathChanged
        "/srv/secdesk/signal.trigger"
      )
      (expectEqual "signal: no path unit with wakeRotateNotify off or rotate-notify disabled, and then the timer alone"
        {
          noWake = signalNoWake.systemd.paths;
          noWakeTimer = signalNoWake.systemd.timers.secdesk-rotate-notify.timerConfig.OnCalendar;
          noJob = signalNoRotateNotify.systemd.paths;
        }
        {
          noWake = { };
          noWakeTimer = [ "minutely" ];
          noJob = { };
        }
      )
      (check "signal: contactsFile and settings.signal.contacts_file together are refused" (hasAssertionMatching
        signalBothContacts
        [
          "services.secdesk.signal.contactsFile"
          "settings.signal.contacts_file"
          "keep only"
        ]
      ) (failedAssertions signalBothContacts))
      (check "signal: tokenSecretFile and settings.signal.token_secret_file together are refused" (hasAssertionMatching
        signalBothToken
        [
          "services.secdesk.signal.tokenSecretFile"
          "settings.signal.token_secret_file"
          "keep only"
        ]
      ) (failedAssertions signalBothToken))
      (check "signal: a token_secret_credential in settings that no job loads is refused" (hasAssertionMatching
        signalLooseCredential
        [
          "settings.signal.token_secret_credential"
          "no job loads"
          "services.secdesk.signal.tokenSecretFile"
        ]
      ) (failedAssertions signalLooseCredential))
      (check "signal: a token key in the Nix store is refused" (hasAssertionMatching signalStoreToken [
        "services.secdesk.signal.tokenSecretFile"
        "Nix store"
      ]) (failedAssertions signalStoreToken))
      (check "signal: a contacts_file in the Nix store inside settings is refused" (hasAssertionMatching
        signalStoreContactsInSettings
        [
          "settings.signal.contacts_file"
          "Nix store"
        ]
      ) (failedAssertions signalStoreContactsInSettings))
      (check "signal: a Nix path literal as tokenSecretFile is a type error" (throws
        signalTokenLiteral.services.secdesk.signal.tokenSecretFile
      ) null)
      (check "signal: a token_secret_file in settings is accepted with a warning naming tokenSecretFile" (
        failedAssertions signalTokenInSettings == [ ]
        && builtins.any (
          w: hasInfix "settings.signal.token_secret_file" w && hasInfix "services.secdesk.signal.tokenSecretFile" w
        ) signalTokenInSettings.warnings
      ) signalTokenInSettings.warnings)
      (expectEqual "imported through the flake, the flake's package is the default"
        {
          package = fromFlake.services.secdesk.package.name;
          exec = fromFlake.systemd.services.secdesk-ingest.serviceConfig.ExecStart;
        }
        {
          package = "secdesk-from-the-flake";
          exec = "${flakePackage}/bin/secdesk-ingest";
        }
      )
      (expectEqual "checkConfig off: the units get the generated file itself, unchecked"
        {
          file = uncheckedFile.name;
          check = uncheckedFile ? buildCommand;
          units = map (unit: unit.environment.SECDESK_CONFIG) (builtins.attrValues unchecked.systemd.services);
          json = builtins.fromJSON uncheckedFile.jsonText;
        }
        {
          file = "secdesk.json";
          check = false;
          units = map (_: "${uncheckedFile}") jobUnits;
          json = builtins.fromJSON (t.jsonText quiet);
        }
      )
      (check "imported through the flake, the build-time check runs the flake's package" (hasInfix
        "${flakePackage}/bin/secdesk check-config"
        fromFlake.services.secdesk.configFile.buildCommand
      ) fromFlake.services.secdesk.configFile.buildCommand)
      (expectEqual "site: every assertion holds" (failedAssertions site) [ ])
      (expectEqual "site: the site job and its hourly timer" {
        service = site.systemd.services.secdesk-site-render.serviceConfig.ExecStart;
        timer = site.systemd.timers.secdesk-site-render.timerConfig.OnCalendar;
      } {
        service = "${package}/bin/secdesk-site-render";
        timer = [ "hourly" ];
      })
      (expectEqual "site: pages readable by the web server's group only, written only there"
        {
          inherit (site.systemd.services.secdesk-site-render.serviceConfig) UMask PrivateNetwork;
          writes = builtins.elem "/var/lib/secdesk-site" site.systemd.services.secdesk-site-render.serviceConfig.ReadWritePaths;
          tmpfiles = site.systemd.tmpfiles.rules;
          out_dir = (builtins.fromJSON (t.jsonText site)).site.out_dir;
        }
        {
          UMask = "0027";
          PrivateNetwork = true;
          writes = true;
          tmpfiles = [ "d /var/lib/secdesk-site 2750 secdesk nginx - -" ];
          out_dir = "/var/lib/secdesk-site";
        }
      )
      (expectEqual "site: off by default, no unit" (builtins.hasAttr "secdesk-site-render" example.systemd.services) false)
      (check "site: an output directory inside the state directory is refused" (hasAssertionMatching siteInState [
        "outside /var/lib/secdesk"
      ]) (failedAssertions siteInState))
      (expectEqual "imported without the flake, pkgs.secdesk is the default"
        quiet.services.secdesk.package.name
        "secdesk-0.1.0"
      )
      (check "releases has no default: leaving it out is refused" (hasAssertionMatching noReleases [
        "settings.releases is empty"
      ]) (failedAssertions noReleases))
      (expectEqual "an unset optional member key is left out of the JSON" (builtins.fromJSON
        (t.jsonText userSettings)
      ).team [
        {
          id = "alice";
          unix_user = "alice";
          timezone = "UTC";
          roles = [ ];
        }
      ])
    ];

    failures = builtins.filter (c: !c.ok) (exampleChecks ++ edgeChecks);
    show =
      value:
      let
        attempt = builtins.tryEval (builtins.toJSON value);
      in
      if attempt.success then attempt.value else "(cannot be shown)";
  in
  if failures == [ ] then
    true
  else
    throw (
      "nixos-module/tests/eval.nix: ${toString (builtins.length failures)} check(s) failed:\n"
      + concatMapStringsSep "\n" (c: "- ${c.name}\n  found: ${show c.found}") failures
    )
)
  {
    lib = if builtins.isAttrs lib then lib else import lib;
  }
