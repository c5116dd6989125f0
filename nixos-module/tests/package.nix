# The package (package.nix) evaluated with stand-ins for its arguments, for
# tests/nix.rs: what it is named, what it builds with, and the postInstall
# script that installs the man pages and completions, native and cross
# (where the build machine cannot run what it built). tests/nix.rs runs the
# native script on the built binaries.
#
#   nix-instantiate --store dummy:// --eval --strict --readonly-mode --json \
#     nixos-module/tests/package.nix --argstr lib "$NIXPKGS_LIB"
#
# The stand-in `buildRustPackage` returns its arguments: building needs
# nixpkgs itself, which this test does not have (only nixpkgs' lib).
{ lib }:
(
  { lib }:
  let
    stubs = import ./stubs.nix { inherit lib; };
    package =
      canExecute:
      import ../../package.nix {
        inherit lib;
        stdenv = {
          buildPlatform.canExecute = _host: canExecute;
          hostPlatform = { };
        };
        rustPlatform.buildRustPackage = attrs: attrs;
        installShellFiles = stubs.fakeDerivation "install-shell-files" { };
        pkg-config = stubs.fakeDerivation "pkg-config" { };
        openssl = stubs.fakeDerivation "openssl" { };
      };
    native = package true;
    cross = package false;
  in
  {
    inherit (native) pname version postInstall;
    nativeBuildInputs = map (input: input.name) native.nativeBuildInputs;
    crossPostInstall = cross.postInstall;
  }
)
  {
    lib = if builtins.isAttrs lib then lib else import lib;
  }
