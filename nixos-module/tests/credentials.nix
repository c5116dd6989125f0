# The Bat-Signal configuration of configs.nix (`signal`: the example with
# both signal secrets) as its units would run it, for tests/nix.rs: the
# generated JSON and, per job, the program it starts and the credentials it
# loads (`LoadCredential=` lines). tests/nix.rs runs each program with a
# $CREDENTIALS_DIRECTORY holding exactly those credentials, as systemd
# would, so a job missing a secret it reads fails the test.
#
#   nix-instantiate --store dummy:// --eval --strict --readonly-mode --json \
#     nixos-module/tests/credentials.nix --argstr lib "$NIXPKGS_LIB"
{ lib }:
(
  { lib }:
  let
    t = import ./lib.nix { inherit lib; };
    configs = import ./configs.nix {
      inherit lib;
      inherit (t) stubs;
    };
    config = t.evalConfig configs.signal;
    package = "${config.services.secdesk.package}";
  in
  {
    json = t.jsonText config;
    jobs = lib.mapAttrs (_: unit: {
      program = lib.removePrefix "${package}/bin/" unit.serviceConfig.ExecStart;
      credentials = unit.serviceConfig.LoadCredential;
    }) config.systemd.services;
    trigger = config.systemd.paths.secdesk-rotate-notify.pathConfig.PathChanged;
    database = config.services.secdesk.settings.database;
  }
)
  {
    lib = if builtins.isAttrs lib then lib else import lib;
  }
