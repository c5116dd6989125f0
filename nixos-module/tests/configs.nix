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
  signal = {
    modules = [
      ./example.nix
      { services.secdesk.signal.contactsFile = "/run/secrets/secdesk/signal-contacts"; }
    ];
  };
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
