#!/bin/sh
# test-desktop-files.sh DESKTOP METAINFO DATADIR — validates the desktop
# entry, the AppStream metainfo (offline), the GSettings schema, and that
# every screenshot the metainfo names is in data/screenshots. TAP output.
desktop=$1
metainfo=$2
datadir=$3
n=0
failed=0

check () {
  # check NAME COMMAND…: one TAP line; the command's output as diagnostics.
  name=$1
  shift
  n=$((n + 1))
  if out=$("$@" 2>&1); then
    echo "ok $n - $name"
  else
    echo "not ok $n - $name"
    failed=1
  fi
  [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
}

skip () {
  n=$((n + 1))
  echo "ok $n - $1 # SKIP $2"
}

if command -v desktop-file-validate >/dev/null 2>&1; then
  check "desktop-file-validate $(basename "$desktop")" desktop-file-validate "$desktop"
else
  skip "desktop-file-validate" "desktop-file-utils is not installed"
fi

if command -v appstreamcli >/dev/null 2>&1; then
  check "appstreamcli validate --no-net $(basename "$metainfo")" appstreamcli validate --no-net "$metainfo"
else
  skip "appstreamcli validate" "appstream is not installed"
fi

if command -v glib-compile-schemas >/dev/null 2>&1; then
  check "glib-compile-schemas --strict --dry-run" glib-compile-schemas --strict --dry-run "$datadir"
else
  skip "glib-compile-schemas" "libglib2.0-bin is not installed"
fi

screenshots_exist () {
  missing=0
  for url in $(sed -n 's|.*<image[^>]*>\(.*\)</image>.*|\1|p' "$metainfo"); do
    file="$datadir/screenshots/$(basename "$url")"
    if [ ! -s "$file" ]; then
      echo "missing: $file (named by $url)"
      missing=1
    fi
  done
  return $missing
}
check "every screenshot of the metainfo is in data/screenshots" screenshots_exist

icons_exist () {
  for icon in "$datadir/icons/hicolor/scalable/apps/io.github.imustudio.ImuStudio.svg" \
              "$datadir/icons/hicolor/symbolic/apps/io.github.imustudio.ImuStudio-symbolic.svg"; do
    # An SVG with a view box, not an empty placeholder.
    grep -q 'viewBox=' "$icon" || { echo "not an SVG icon: $icon"; return 1; }
  done
}
check "application icons are SVGs" icons_exist

echo "1..$n"
exit $failed
