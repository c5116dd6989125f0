# The unit files of the documented example (example.nix, whose jobs all talk
# to mail servers) and of a configuration without servers (whose jobs get no
# network), rendered as NixOS writes them, for
# `systemd-analyze security --offline=true` in scripts/nix-check. Returns one
# string: each file starts with a line `### <directory>/<file name>`.
#
#   nix-instantiate --store dummy:// --eval --strict --readonly-mode \
#     nixos-module/tests/units.nix --argstr lib "$NIXPKGS_LIB"
#
# The text is printed as a Nix string, so it must need no escaping but the
# newline; a unit holding `"`, `\` or `$` beyond the Environment= quotes
# throws here rather than reach systemd-analyze mangled.
{ lib }:
(
  { lib }:
  let
    t = import ./lib.nix { inherit lib; };
    shared = import ./configs.nix {
      inherit lib;
      inherit (t) stubs;
    };
    configs = {
      example = t.evalConfig shared.example;
      serverless = t.evalConfig shared.quiet;
      # The example with the Bat-Signal: its credentials and path unit.
      signal = t.evalConfig shared.signal;
    };
    files = lib.concatMapAttrs (
      dir: config: lib.mapAttrs' (name: text: lib.nameValuePair "${dir}/${name}" text) (t.units config)
    ) configs;
    # Environment= values are quoted; the quotes are put back by nix-check.
    plain = text: builtins.replaceStrings [ "Environment=\"" "\"\n" ] [ "Environment=@Q@" "@Q@\n" ] text;
    bad = builtins.filter (
      name:
      builtins.any (c: lib.hasInfix c (plain files.${name})) [
        "\""
        "\\"
        "$"
      ]
    ) (builtins.attrNames files);
  in
  if bad != [ ] then
    throw "nixos-module/tests/units.nix: cannot print ${toString bad} unescaped"
  else
    lib.concatStrings (lib.mapAttrsToList (name: text: "### ${name}\n${plain text}") files)
)
  {
    lib = if builtins.isAttrs lib then lib else import lib;
  }
