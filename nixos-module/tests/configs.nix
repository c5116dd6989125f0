# The configurations the module tests evaluate that the module accepts
# (every assertion holds), by name, each the arguments of lib.nix's
# `evalConfig`. eval.nix and units.nix evaluate them; json.nix gives the
# JSON each one generates to tests/nix.rs, which runs it through secdesk's
# own configuration parser, so module and program cannot drift apart
# unseen. A configuration added here is checked both ways.
#
# The refused configurations stay in eval.nix: the module's assertions stop
# them before any JSON reaches secdesk.
{ lib, stubs }:
let
  minimal = {
    services.secdesk = {
      enable = true;
      settings.releases = [ "unstable" ];
    };
  };
  withMinimal = modules: { modules = [ minimal ] ++ modules; };
in
{
  inherit minimal;

  # The documented example (shown verbatim in docs/nixos.md).
  example = {
    modules = [ ./example.nix ];
  };
  # No server at all (units.nix scores its units as "serverless").
  quiet = withMinimal [ ];
  outsideDatabase = withMinimal [
    {
      services.secdesk.settings.database = "/srv/secdesk/secdesk.sqlite";
      services.secdesk.settings.outbox_dir = "/srv/secdesk/outbox";
    }
  ];
  noIngest = withMinimal [ { services.secdesk.ingest.enable = false; } ];
  # Seen from outside (issue 18): node exporter's textfile collector and a
  # heartbeat URL.
  monitored = withMinimal [
    {
      services.prometheus.exporters.node.enable = true;
      services.secdesk.heartbeat.urlFile = "/run/secrets/secdesk-heartbeat";
    }
  ];
  schedules = withMinimal [
    {
      services.secdesk.ingest = {
        startAt = [
          "*:0/2"
          "*:1/2"
        ];
        persistent = false;
        randomizedDelaySec = "30s";
      };
    }
  ];
  # The documented example with the Bat-Signal: both secrets as
  # credentials, four roles, a fourth member with her own waking hours
  # (the team list of example.nix gets her appended).
  signal = {
    modules = [
      ./example.nix
      {
        services.secdesk.signal = {
          contactsFile = "/run/secrets/secdesk/signal-contacts";
          tokenSecretFile = "/run/secrets/secdesk/signal-token";
        };
        services.secdesk.settings.team = [
          {
            id = "dmitri";
            email = "dmitri@example.org";
            timezone = "Australia/Sydney";
            awake = "07:00-23:00";
          }
        ];
        services.secdesk.settings.signal = {
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
        };
      }
    ];
  };
  # Only the contacts file: `settings.signal` exists through it alone.
  signalContactsOnly = withMinimal [
    { services.secdesk.signal.contactsFile = "/run/secrets/secdesk/signal-contacts"; }
  ];
  # The database outside the state directory: the trigger moves with it.
  signalOutsideDatabase = withMinimal [
    {
      services.secdesk.settings.database = "/srv/secdesk/secdesk.sqlite";
      services.secdesk.signal.tokenSecretFile = "/run/secrets/secdesk/signal-token";
    }
  ];
  # No path unit: pages wait for the timer.
  signalNoWake = withMinimal [
    {
      services.secdesk.signal.tokenSecretFile = "/run/secrets/secdesk/signal-token";
      services.secdesk.signal.wakeRotateNotify = false;
    }
  ];
  fromFlake = {
    modules = [ minimal ];
    self.packages.x86_64-linux.default = stubs.fakeDerivation "secdesk-from-the-flake" { };
  };
  # The build-time check turned off (cross builds).
  unchecked = withMinimal [ { services.secdesk.checkConfig = false; } ];
  userSettings = withMinimal [
    {
      services.secdesk.settings.team = [
        {
          id = "alice";
          unix_user = "alice";
        }
      ];
    }
  ];
}
