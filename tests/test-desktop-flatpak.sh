#!/bin/sh
# test-desktop-flatpak.sh MANIFEST — flatpak-builder parses the manifest
# without a warning (G_DEBUG=fatal-warnings makes a warning abort). Nothing
# is built: no runtime can be downloaded here. TAP output.
manifest=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
if ! command -v flatpak-builder >/dev/null 2>&1; then
  echo "1..0 # SKIP flatpak-builder is not installed (scripts/deps.sh installs it)"
  exit 0
fi
n=0
failed=0
# flatpak-builder keeps its state in ./.flatpak-builder: not in the source tree.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

n=$((n + 1))
if out=$(G_DEBUG=fatal-warnings flatpak-builder --show-manifest "$manifest" 2>&1); then
  echo "ok $n - flatpak-builder --show-manifest $(basename "$manifest")"
else
  echo "not ok $n - flatpak-builder --show-manifest $(basename "$manifest")"
  printf '%s\n' "$out" | sed 's/^/# /'
  failed=1
fi

# The manifest builds this meson project and names the application.
n=$((n + 1))
if printf '%s' "$out" | grep -Eq '"(app-)?id" *: *"io.github.imustudio.ImuStudio"' \
   && printf '%s' "$out" | grep -q '"command" *: *"imu-studio"' \
   && printf '%s' "$out" | grep -q '"buildsystem" *: *"meson"'; then
  echo "ok $n - app-id, command and the meson module are there"
else
  echo "not ok $n - app-id, command and the meson module are there"
  failed=1
fi

echo "1..$n"
exit $failed
