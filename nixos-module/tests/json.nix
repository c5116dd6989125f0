# The JSON configuration file the module generates for each accepted
# configuration of configs.nix, by name, for tests/nix.rs to run through
# secdesk's own parser:
#
#   nix-instantiate --store dummy:// --eval --strict --readonly-mode --json \
#     nixos-module/tests/json.nix --argstr lib "$NIXPKGS_LIB"
#
# Throws when one of them fails an assertion of the module (it belongs in
# eval.nix's refused cases then).
{ lib }:
(
  { lib }:
  let
    t = import ./lib.nix { inherit lib; };
    configs = builtins.removeAttrs (import ./configs.nix {
      inherit lib;
      inherit (t) stubs;
    }) [ "minimal" ];
  in
  lib.mapAttrs (
    name: args:
    let
      config = t.evalConfig args;
      failed = t.failedAssertions config;
    in
    if failed != [ ] then
      throw "nixos-module/tests/json.nix: configuration ${name} fails: ${toString failed}"
    else
      t.jsonText config
  ) configs
)
  {
    lib = if builtins.isAttrs lib then lib else import lib;
  }
