# The secdesk package: the Cargo package with every binary (secdesk,
# secdesk-ingest, secdesk-rotate-notify, secdesk-triage-report, ...), their
# man pages and their bash, zsh and fish completions. flake.nix calls it
# for `packages.default` and `overlays.default`.
#
# It must stay evaluable by Nix 2.8: nixos-module/tests/package.nix
# evaluates it with stand-ins for its arguments, and tests/nix.rs runs its
# `postInstall` on the built binaries.
{
  lib,
  stdenv,
  rustPlatform,
  installShellFiles,
  pkg-config,
  openssl,
}:
let
  cargoToml = lib.importTOML ./Cargo.toml;
in
rustPlatform.buildRustPackage {
  pname = cargoToml.package.name;
  inherit (cargoToml.package) version;

  # Only what cargo reads, so that a change to the docs or the Nix files
  # does not rebuild the package. tests/ is kept because Cargo.toml names
  # tests/tests.rs and cargo checks that it exists.
  src = lib.cleanSourceWith {
    src = ./.;
    filter =
      path: type:
      let
        relative = lib.removePrefix (toString ./. + "/") (toString path);
        top = builtins.head (lib.splitString "/" relative);
      in
      builtins.elem top [
        "Cargo.toml"
        "Cargo.lock"
        "src"
        "tests"
      ];
  };
  cargoLock.lockFile = ./Cargo.lock;

  # native-tls links OpenSSL, found through pkg-config; rusqlite builds its
  # bundled SQLite with the C compiler of stdenv. installShellFiles brings
  # installManPage and installShellCompletion for postInstall.
  nativeBuildInputs = [
    installShellFiles
    pkg-config
  ];
  buildInputs = [ openssl ];

  # The integration tests start Dovecot and an SMTP server on loopback,
  # which the build sandbox does not provide; the flake's checks run the
  # NixOS VM test against the built package instead.
  doCheck = false;

  # Man pages and completions come from the built programs themselves
  # (`--generate`, made from the same clap definitions as --help), which
  # read no configuration and open no database. Every binary gets its
  # pages (secdesk also one per subcommand: secdesk-rota.1, ...) and its
  # three completion files. A cross build cannot run what it built, so it
  # goes without them.
  postInstall = lib.optionalString (stdenv.buildPlatform.canExecute stdenv.hostPlatform) ''
    mkdir -p generated/man generated/completions
    for program in "$out"/bin/*; do
      name=$(basename "$program")
      "$program" --generate man --out-dir generated/man >/dev/null
      "$program" --generate complete-bash >"generated/completions/$name.bash"
      "$program" --generate complete-zsh >"generated/completions/_$name"
      "$program" --generate complete-fish >"generated/completions/$name.fish"
      installShellCompletion --cmd "$name" \
        --bash "generated/completions/$name.bash" \
        --zsh "generated/completions/_$name" \
        --fish "generated/completions/$name.fish"
    done
    installManPage generated/man/*.1
  '';

  meta = {
    inherit (cargoToml.package) description;
    license = lib.licenses.mit;
    mainProgram = "secdesk";
    platforms = lib.platforms.linux;
  };
}
