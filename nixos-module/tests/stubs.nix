# Stand-ins for the parts of NixOS and nixpkgs that nixos-module/default.nix
# touches, so that `lib.evalModules` can evaluate the module with nothing but
# nixpkgs' `lib` (Debian's Nix 2.8 and a checkout of nixpkgs.lib, no
# nixpkgs, no store writes).
#
# The option stubs copy the types NixOS gives these options (from
# nixos/lib/systemd-unit-options.nix, nixos/modules/config/users-groups.nix
# and friends), without freeform types: a misspelt option in the module is an
# evaluation error here as it would be on a real system.
{ lib }:
let
  inherit (lib) mkOption types;

  # A derivation-shaped value: what `isDerivation` and string interpolation
  # need, with a deterministic fake store path.
  fakeDerivation =
    name: attrs:
    attrs
    // {
      type = "derivation";
      inherit name;
      outPath = "${builtins.storeDir}/${builtins.substring 0 32 (builtins.hashString "sha256" name)}-${name}";
      drvPath = "${builtins.storeDir}/${builtins.substring 0 32 (builtins.hashString "sha1" name)}-${name}.drv";
    };

  # The value type of nixpkgs' `pkgs.formats.json { }`: JSON values, with
  # attribute sets and lists merged element-wise.
  jsonValue =
    types.nullOr (
      types.oneOf [
        types.bool
        types.int
        types.float
        types.str
        types.path
        (types.attrsOf jsonValue)
        (types.listOf jsonValue)
      ]
    )
    // {
      description = "JSON value";
    };

  # What a systemd unit option may hold, as NixOS's `unitOption`: a single
  # value, or a list whose definitions are concatenated (repeated keys).
  unitValue =
    x:
    builtins.isBool x || builtins.isInt x || builtins.isString x || builtins.isPath x || lib.isDerivation x;
  unitOption = lib.mkOptionType {
    name = "systemd option";
    check = x: if builtins.isList x then lib.all unitValue x else unitValue x;
    merge =
      loc: defs:
      let
        values = map (def: def.value) defs;
      in
      if builtins.isList (builtins.head values) then
        if lib.all builtins.isList values then
          builtins.concatLists values
        else
          throw "The definitions of ${lib.showOption loc} mix lists and single values."
      else
        lib.mergeEqualOption loc defs;
  };

  unitNames =
    description:
    mkOption {
      type = types.listOf types.str;
      default = [ ];
      inherit description;
    };

  commonUnitOptions = {
    enable = mkOption {
      type = types.bool;
      default = true;
      description = "Whether the unit is installed.";
    };
    description = mkOption {
      type = types.singleLineStr;
      default = "";
      description = "Description=.";
    };
    documentation = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "Documentation=.";
    };
    wantedBy = unitNames "Units that want this one.";
    requiredBy = unitNames "Units that require this one.";
    wants = unitNames "Wants=.";
    requires = unitNames "Requires=.";
    after = unitNames "After=.";
    before = unitNames "Before=.";
    bindsTo = unitNames "BindsTo=.";
    partOf = unitNames "PartOf=.";
    conflicts = unitNames "Conflicts=.";
    onFailure = unitNames "OnFailure=.";
    unitConfig = mkOption {
      type = types.attrsOf unitOption;
      default = { };
      description = "The [Unit] section.";
    };
  };

  serviceModule = {
    options = commonUnitOptions // {
      environment = mkOption {
        type = types.attrsOf (
          types.nullOr (
            types.oneOf [
              types.str
              types.path
              types.package
            ]
          )
        );
        default = { };
        description = "Environment=.";
      };
      path = mkOption {
        type = types.listOf (
          types.oneOf [
            types.package
            types.str
          ]
        );
        default = [ ];
        description = "Packages on PATH.";
      };
      serviceConfig = mkOption {
        type = types.addCheck (types.attrsOf unitOption) (
          attrs:
          !(attrs ? Type)
          || builtins.elem attrs.Type [
            "exec"
            "simple"
            "forking"
            "oneshot"
            "dbus"
            "notify"
            "notify-reload"
            "idle"
          ]
        );
        default = { };
        description = "The [Service] section.";
      };
      script = mkOption {
        type = types.lines;
        default = "";
        description = "Shell script as the main process.";
      };
      preStart = mkOption {
        type = types.lines;
        default = "";
        description = "Shell script run before the main process.";
      };
      postStart = mkOption {
        type = types.lines;
        default = "";
        description = "Shell script run after the main process started.";
      };
      restartTriggers = mkOption {
        type = types.listOf types.unspecified;
        default = [ ];
        description = "Restart when these change.";
      };
      reloadTriggers = mkOption {
        type = types.listOf unitOption;
        default = [ ];
        description = "Reload when these change.";
      };
      restartIfChanged = mkOption {
        type = types.bool;
        default = true;
        description = "Restart on a configuration switch when changed.";
      };
      reloadIfChanged = mkOption {
        type = types.bool;
        default = false;
        description = "Reload on a configuration switch when changed.";
      };
      stopIfChanged = mkOption {
        type = types.bool;
        default = true;
        description = "Stop, then start, on a configuration switch.";
      };
      startAt = mkOption {
        type = types.either types.str (types.listOf types.str);
        default = [ ];
        apply = lib.toList;
        description = "OnCalendar= of an implied timer.";
      };
    };
  };

  timerModule = {
    options = commonUnitOptions // {
      timerConfig = mkOption {
        type = types.attrsOf unitOption;
        default = { };
        description = "The [Timer] section.";
      };
    };
  };

  pathModule = {
    options = commonUnitOptions // {
      pathConfig = mkOption {
        type = types.attrsOf unitOption;
        default = { };
        description = "The [Path] section.";
      };
    };
  };

  userModule = {
    options = {
      isSystemUser = mkOption {
        type = types.bool;
        default = false;
        description = "A system user.";
      };
      isNormalUser = mkOption {
        type = types.bool;
        default = false;
        description = "A normal (login) user.";
      };
      group = mkOption {
        type = types.str;
        default = "";
        description = "Primary group.";
      };
      extraGroups = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Supplementary groups.";
      };
      description = mkOption {
        type = types.singleLineStr;
        default = "";
        description = "GECOS.";
      };
      home = mkOption {
        type = types.str;
        default = "/var/empty";
        description = "Home directory.";
      };
      createHome = mkOption {
        type = types.bool;
        default = false;
        description = "Create the home directory.";
      };
      uid = mkOption {
        type = types.nullOr types.int;
        default = null;
        description = "User id.";
      };
    };
  };

  groupModule = {
    options = {
      gid = mkOption {
        type = types.nullOr types.int;
        default = null;
        description = "Group id.";
      };
      members = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Members.";
      };
    };
  };
in
{
  inherit fakeDerivation;

  # The `pkgs` argument: only what the module uses.
  pkgs = {
    stdenv.hostPlatform.system = "x86_64-linux";
    secdesk = fakeDerivation "secdesk-0.1.0" { meta.mainProgram = "secdesk"; };
    git = fakeDerivation "git-2.47.3" { };
    formats.json =
      { }:
      {
        type = jsonValue;
        # The real one writes a file with jq; this one keeps the text so the
        # test can read it without writing to the store.
        generate =
          name: value:
          fakeDerivation name {
            jsonText = builtins.toJSON value;
          };
      };
    writeShellScriptBin =
      name: text:
      fakeDerivation name {
        inherit text;
        meta.mainProgram = name;
      };
    # As nixpkgs' runCommand: the environment's attributes are the
    # derivation's, beside the script it runs (`buildCommand`).
    runCommand =
      name: env: buildCommand:
      fakeDerivation name (env // { inherit buildCommand; });
  };

  # The NixOS options the module defines.
  nixosModule = {
    options = {
      assertions = mkOption {
        type = types.listOf types.unspecified;
        default = [ ];
        description = "Checks that must hold, each { assertion; message; }.";
      };
      warnings = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Messages printed at evaluation.";
      };
      users.users = mkOption {
        type = types.attrsOf (types.submodule userModule);
        default = { };
        description = "Users.";
      };
      users.groups = mkOption {
        type = types.attrsOf (types.submodule groupModule);
        default = { };
        description = "Groups.";
      };
      environment.systemPackages = mkOption {
        type = types.listOf types.package;
        default = [ ];
        description = "Packages on the system path.";
      };
      systemd.services = mkOption {
        type = types.attrsOf (types.submodule serviceModule);
        default = { };
        description = "Services.";
      };
      systemd.timers = mkOption {
        type = types.attrsOf (types.submodule timerModule);
        default = { };
        description = "Timers.";
      };
      systemd.paths = mkOption {
        type = types.attrsOf (types.submodule pathModule);
        default = { };
        description = "Path units.";
      };
      systemd.tmpfiles.rules = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "tmpfiles.d lines.";
      };
      services.prometheus.exporters.node.enable = mkOption {
        type = types.bool;
        default = false;
        description = "Whether node exporter runs.";
      };
      services.prometheus.exporters.node.extraFlags = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Extra command-line flags of node exporter.";
      };
    };
  };
}
