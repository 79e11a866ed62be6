#!/bin/sh
# test-layers.sh SRCDIR — the layers of ../shared/DESIGN.md hold:
#   1. src/app and src/cli include only core's public headers: no core
#      *-private.h, no sqlite3.h, no SQL call;
#   2. src/core includes no GTK or libadwaita header;
#   3. every .c file under src/ is listed in its layer's meson.build (a file
#      that is not listed is a feature that silently is not there).
# TAP output.
set -u
src=${1:-$(dirname "$0")/..}
cd "$src" || exit 1
n=0
fail=0

check () {
  n=$((n + 1))
  if [ -z "$2" ]; then
    echo "ok $n - $1"
  else
    echo "not ok $n - $1"
    echo "$2" | sed 's/^/# /'
    fail=1
  fi
}

core_private=$(cd src/core && find . -name '*-private.h' -exec basename {} \; | sort)
hits=""
for h in $core_private; do
  hits="$hits$(grep -rn "#include *[\"<]$h[\">]" src/app src/cli)"
done
check "the faces include no private header of core" "$hits"
check "the faces include no sqlite3.h" "$(grep -rn '#include *[<"]sqlite3.h[>"]' src/app src/cli)"
check "the faces call no SQLite function" "$(grep -rnE '\bsqlite3_[a-z_]+ *\(' src/app src/cli)"
check "core includes no GTK or libadwaita header" "$(grep -rnE '#include *[<"](gtk|gdk|gsk|adwaita)' src/core)"

unlisted=""
for dir in src/core src/cli src/app; do
  for f in $(cd "$dir" && find . -name '*.c' | sed 's#^\./##' | sort); do
    grep -q "'$f'" "$dir/meson.build" || unlisted="$unlisted$dir/$f
"
  done
done
check "every source file is listed in its meson.build" "$(printf '%s' "$unlisted")"

echo "1..$n"
exit $fail
