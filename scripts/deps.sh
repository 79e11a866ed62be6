#!/usr/bin/env bash
# scripts/deps.sh — installs what building and testing IMU Studio needs on
# Debian 12, and only what is missing. Safe to run again and again: when
# everything is there it does nothing (no apt-get update, no sudo prompt).
#
# Also runs `npm ci` in tests/servers (the storage emulators the sync tests
# start on loopback) when that folder exists and its modules are stale.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

PACKAGES=(
  meson ninja-build pkg-config gcc
  libsqlite3-dev sqlite3 nettle-dev
  libglib2.0-dev libjson-glib-dev libarchive-dev libzstd-dev libsoup-3.0-dev libsecret-1-dev
  libserialport-dev
  libqrencode-dev
  libgtk-4-dev libadwaita-1-dev
  gettext desktop-file-utils appstream
  xvfb xauth
  python3-numpy python3-scipy python3-jsonschema
  dbus-daemon gnome-keyring iproute2 util-linux
  chromium
  time
  flatpak-builder
)
# Installed without their recommended packages (flatpak-builder recommends
# a desktop portal whose messages flood the logs of a headless machine).
NO_RECOMMENDS=(flatpak-builder)
if [ -f "$ROOT/tests/servers/package.json" ] && ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

# One dpkg-query for all: it prints a line for each known package and
# complains on stderr about the ones it has never heard of.
installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PACKAGES[@]}" 2>/dev/null | awk '$2 == "installed" { print $1 }' || true)
missing=()
for p in "${PACKAGES[@]}"; do
  if ! grep -qx -- "$p" <<<"$installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
  elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "deps: missing ${missing[*]}, and neither root nor sudo is available to install them" >&2
    exit 1
  fi
  # Without a lock timeout apt-get fails at once (exit 100) while another
  # apt (unattended upgrades, a second terminal) holds the lock.
  APT=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900)
  echo "deps: installing ${missing[*]}"
  "${APT[@]}" update -qq
  plain=()
  lean=()
  for p in "${missing[@]}"; do
    if [[ " ${NO_RECOMMENDS[*]} " == *" $p "* ]]; then
      lean+=("$p")
    else
      plain+=("$p")
    fi
  done
  if [ ${#plain[@]} -gt 0 ]; then
    "${APT[@]}" install -y -qq "${plain[@]}"
  fi
  if [ ${#lean[@]} -gt 0 ]; then
    "${APT[@]}" install -y -qq --no-install-recommends "${lean[@]}"
  fi
fi

# Storage emulators for the sync tests (Azurite, an S3 emulator): only when
# the lock file changed since the last install.
servers="$ROOT/tests/servers"
if [ -f "$servers/package.json" ]; then
  stamp="$servers/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$servers/package.json" -nt "$stamp" ] \
     || { [ -f "$servers/package-lock.json" ] && [ "$servers/package-lock.json" -nt "$stamp" ]; }; then
    echo "deps: npm ci in tests/servers"
    if [ -f "$servers/package-lock.json" ]; then
      npm_cmd=(npm ci)
    else
      npm_cmd=(npm install)
    fi
    if ! (cd "$servers" && "${npm_cmd[@]}" --no-audit --no-fund --loglevel=error </dev/null); then
      # The sync tests skip when their emulator is absent; say why here.
      echo "deps: warning: ${npm_cmd[*]} failed in tests/servers: the storage emulator tests will skip" >&2
    fi
  fi
fi
