# The build-time check of the generated configuration (`checkConfig`), for
# tests/nix.rs to run with the real `secdesk` binary: for every accepted
# configuration of configs.nix whose check is on, and for settings the
# module lets through but secdesk refuses, the check derivation's script
# (`buildCommand`), the package path it runs `bin/secdesk` from, and the
# JSON it checks. tests/nix.rs runs each script as the build would (with
# `$configFile` and `$out`, the package path pointing at the built
# binary): the accepted ones must build the file, the refused ones must fail
# naming the key.
#
#   nix-instantiate --store dummy:// --eval --strict --readonly-mode --json \
#     nixos-module/tests/check.nix --argstr lib "$NIXPKGS_LIB"
#
# A real `nix-build` of the check needs nixpkgs' stdenv, which this test
# does not have (only nixpkgs' lib); the script is what it would run.
{ lib }:
(
  { lib }:
  let
    t = import ./lib.nix { inherit lib; };
    configs = import ./configs.nix {
      inherit lib;
      inherit (t) stubs;
    };
    inherit (configs) minimal;

    # Settings the module's types and assertions accept (the freeform part
    # of `settings`, a member's time zone as any string) and secdesk
    # refuses.
    refused = {
      typoInReport = {
        modules = [
          minimal
          { services.secdesk.settings.report.reprot = [ "security-team@example.org" ]; }
        ];
      };
      unknownTimeZone = {
        modules = [
          minimal
          {
            services.secdesk.settings.team = [
              {
                id = "alice";
                timezone = "Europe/Berln";
              }
            ];
          }
        ];
      };
      badAddress = {
        modules = [
          minimal
          { services.secdesk.settings.report.to = [ "security team" ]; }
        ];
      };
    };

    describe =
      expected: args:
      let
        config = t.evalConfig args;
        failed = t.failedAssertions config;
        file = config.services.secdesk.configFile;
      in
      if failed != [ ] then
        throw "nixos-module/tests/check.nix: a configuration fails an assertion: ${toString failed}"
      else
        {
          inherit expected;
          inherit (file) buildCommand;
          package = "${config.services.secdesk.package}";
          json = t.jsonText config;
        };

    accepted = lib.filterAttrs (
      _: args: (t.evalConfig args).services.secdesk.checkConfig
    ) (builtins.removeAttrs configs [ "minimal" ]);
  in
  lib.mapAttrs (_: describe "accepted") accepted // lib.mapAttrs (_: describe "refused") refused
)
  {
    lib = if builtins.isAttrs lib then lib else import lib;
  }
