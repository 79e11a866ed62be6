#!/bin/sh
# test-sync-secrets.sh TEST-PROGRAM [ARGS…] — runs the secrets test on a
# private session bus with an unlocked GNOME Keyring, so that the Secret
# Service (libsecret) is the store. Skips (TAP "1..0 # SKIP") without
# dbus-run-session or gnome-keyring-daemon (Debian: dbus, gnome-keyring).
prog=$1
shift
if ! command -v dbus-run-session >/dev/null 2>&1 || ! command -v gnome-keyring-daemon >/dev/null 2>&1; then
  echo "1..0 # SKIP dbus-run-session or gnome-keyring-daemon is missing (apt-get install gnome-keyring)"
  exit 0
fi
unset IMU_SECRETS_BACKEND DBUS_SESSION_BUS_ADDRESS
export IMU_TEST_SECRET_SERVICE=1
# A keyring of its own in a scratch folder: never the user's, and no state
# left by an earlier run (a keyring that grew over many runs, or was
# created with another password, makes the daemon ask for it in a prompt
# that no one answers).
scratch=$(mktemp -d "${TMPDIR:-/tmp}/imu-keyring-XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
export XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" XDG_RUNTIME_DIR="$scratch/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
# The keyring's password must not be empty (ENVIRONMENT.md).
dbus-run-session -- sh -c 'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$0" "$@"' "$prog" "$@"
