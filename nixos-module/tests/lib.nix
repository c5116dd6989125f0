# Helpers shared by eval.nix and units.nix: evaluate the module over the
# stubs of stubs.nix, and render its systemd units as NixOS would write them
# (enough of them for `systemd-analyze security --offline=true`).
{ lib }:
let
  stubs = import ./stubs.nix { inherit lib; };

  # `lib.modules.importApply` is what the flake uses; older nixpkgs libs
  # lack it, and plain application gives the same module.
  importApply = lib.modules.importApply or (file: arg: import file arg);

  renderValue =
    value:
    if builtins.isBool value then
      (if value then "true" else "false")
    else
      toString value;

  # One `Key=value` line per value; a list repeats the key, as NixOS does.
  renderSection =
    attrs:
    lib.concatStrings (
      lib.mapAttrsToList (
        key: value:
        lib.concatMapStrings (item: "${key}=${renderValue item}\n") (lib.toList value)
      ) attrs
    );

  unitSection =
    unit:
    lib.filterAttrs (_: value: value != [ ] && value != "") {
      Description = unit.description;
      After = unit.after;
      Wants = unit.wants;
      Requires = unit.requires;
      Before = unit.before;
    }
    // unit.unitConfig;
in
rec {
  inherit stubs;

  # The `config` of a system made of the stubs, the module and `modules`.
  # `self` stands in for the flake (null: imported without it).
  evalConfig =
    {
      modules,
      self ? null,
    }:
    (lib.evalModules {
      modules = [
        stubs.nixosModule
        (importApply ../default.nix { inherit self; })
        { _module.args.pkgs = stubs.pkgs; }
      ]
      ++ modules;
    }).config;

  # The file `settings` generates, before the build-time check: the
  # configuration file itself when `checkConfig` is off, else the input of
  # the check's derivation (`configFile` in its environment).
  generatedConfigFile =
    config:
    let
      file = config.services.secdesk.configFile;
    in
    if config.services.secdesk.checkConfig then file.configFile or file else file;

  # The JSON text of that file (the stub of `formats.json` keeps it).
  jsonText = config: (generatedConfigFile config).jsonText;

  # Messages of the assertions that do not hold.
  failedAssertions =
    config: map (a: a.message) (builtins.filter (a: !a.assertion) config.assertions);

  renderService =
    unit:
    "[Unit]\n"
    + renderSection (unitSection unit)
    + "\n[Service]\n"
    + lib.concatStrings (
      lib.mapAttrsToList (name: value: "Environment=\"${name}=${toString value}\"\n") (
        lib.filterAttrs (_: value: value != null) unit.environment
      )
    )
    + renderSection unit.serviceConfig;

  renderTimer =
    unit: "[Unit]\n" + renderSection (unitSection unit) + "\n[Timer]\n" + renderSection unit.timerConfig;

  renderPath =
    unit: "[Unit]\n" + renderSection (unitSection unit) + "\n[Path]\n" + renderSection unit.pathConfig;

  # Every unit file of a configuration, by file name.
  units =
    config:
    lib.mapAttrs' (name: unit: lib.nameValuePair "${name}.service" (renderService unit)) (
      lib.filterAttrs (_: unit: unit.enable) config.systemd.services
    )
    // lib.mapAttrs' (name: unit: lib.nameValuePair "${name}.timer" (renderTimer unit)) (
      lib.filterAttrs (_: unit: unit.enable) config.systemd.timers
    )
    // lib.mapAttrs' (name: unit: lib.nameValuePair "${name}.path" (renderPath unit)) (
      lib.filterAttrs (_: unit: unit.enable) config.systemd.paths
    );
}
