{
  description = "secdesk: the security front desk of a Linux distribution";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;

      # Linux only: the module and its VM test are systemd services.
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = f: lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});

      # The package: every binary, its man pages and completions.
      secdesk = ./package.nix;
    in
    {
      overlays.default = final: _prev: { secdesk = final.callPackage secdesk { }; };

      packages = forAllSystems (pkgs: {
        default = pkgs.callPackage secdesk { };
      });

      # The module, given this flake so that its default package is
      # `packages.<system>.default`.
      nixosModules.default = lib.modules.importApply ./nixos-module/default.nix { inherit self; };

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          packages = [
            pkgs.cargo
            pkgs.rustc
            pkgs.clippy
            pkgs.rustfmt
            pkgs.pkg-config
            pkgs.openssl
            pkgs.sqlite
            # The integration tests' real servers.
            pkgs.dovecot
            (pkgs.python3.withPackages (ps: [ ps.aiosmtpd ]))
          ];
        };
      });

      checks = forAllSystems (pkgs: {
        package = self.packages.${pkgs.stdenv.hostPlatform.system}.default;

        # The evaluation test Debian's Nix runs in scripts/nix-check, here
        # against this flake's nixpkgs lib.
        module-eval =
          assert import ./nixos-module/tests/eval.nix { inherit lib; };
          pkgs.runCommand "secdesk-module-eval" { } "touch $out";

        # A VM with Dovecot, an SMTP server and the module: mail in, an issue
        # opened, the report out, no secret in the store. Needs KVM.
        vm = import ./nixos-module/tests/basic.nix { inherit pkgs self; };
      });
    };
}
