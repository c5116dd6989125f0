# A minimal dovecot.conf for the NixOS VM test (basic.nix): IMAP without TLS
# on loopback, users and passwords from a passwd-file made at run time (so no
# password enters the Nix store), every mailbox a Maildir owned by one system
# user. Dovecot 2.4 changed the syntax, so both are written; the VM test uses
# the one of its package. Plain data, so that the 2.3 text can be tried with
# Debian's dovecot outside a VM.
{
  # The Dovecot version, as `pkgs.dovecot.version`.
  version,
  # Runtime and state directories, created by systemd for the service.
  baseDir,
  stateDir,
  # `user:{PLAIN}password` lines.
  passwdFile,
  # The system user and group owning the Maildirs, under stateDir/mail.
  mailUser,
  mailGroup,
  # Dovecot's own unprivileged users.
  internalUser,
  internalGroup,
  loginUser,
  port,
}:
let
  v24 = builtins.compareVersions version "2.4" >= 0;
  common = ''
    base_dir = ${baseDir}
    state_dir = ${stateDir}
    protocols = imap
    listen = 127.0.0.1
    ssl = no
    auth_mechanisms = plain login
    default_internal_user = ${internalUser}
    default_internal_group = ${internalGroup}
    default_login_user = ${loginUser}
    # The mail user is a system user, whose uid is below the default 500.
    first_valid_uid = 1
    mail_uid = ${mailUser}
    mail_gid = ${mailGroup}
    log_path = /dev/stderr
    service imap-login {
      inet_listener imap {
        port = ${toString port}
      }
    }
  '';
in
if v24 then
  ''
    dovecot_config_version = 2.4.0
    dovecot_storage_version = 2.4.0
    ${common}
    auth_allow_cleartext = yes
    mail_driver = maildir
    mail_home = ${stateDir}/mail/%{user}
    mail_path = ${stateDir}/mail/%{user}
    passdb passwd-file {
      passwd_file_path = ${passwdFile}
    }
    userdb static {
    }
  ''
else
  ''
    ${common}
    disable_plaintext_auth = no
    mail_location = maildir:${stateDir}/mail/%u
    passdb {
      driver = passwd-file
      args = username_format=%u ${passwdFile}
    }
    userdb {
      driver = static
      args = home=${stateDir}/mail/%u
    }
  ''
