#!/usr/bin/env bash
# bench/folder.sh — `imu import DIR` of a lab's folder of one-day Axivity
# AX3 files: throughput with `--jobs 1` against the default (one job per
# processor), measured in the same run, and their ratio.
#
#   bench/folder.sh [--fresh]
#
# IMU_BENCH_FILES one-day files (default 100) at 100 Hz (8.64 M samples,
# ~37 MB each, `imu generate --format cwa --seed N`, N = 1…) are cached in
# $IMU_BENCH_DIR/folder-<files>, default build/bench-work; --fresh makes
# them again. Each run imports the folder into a new library. The target
# on a 2-core machine is a ratio of at least 1.7 (issue 10 §7).
# Not part of the test suite; docs/benchmarks.md says what is measured.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

files=${IMU_BENCH_FILES:-100}
fresh=0
while [ $# -gt 0 ]; do
  case "$1" in
    --fresh) fresh=1; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "folder.sh: unknown argument “$1” (see --help)" >&2; exit 1 ;;
  esac
done

work=${IMU_BENCH_DIR:-$ROOT/$BUILDDIR/bench-work}
imu=$ROOT/$BUILDDIR/src/cli/imu
dir=$work/folder-$files
mkdir -p "$work"

if [ ! -f "$ROOT/$BUILDDIR/build.ninja" ]; then
  meson setup "$ROOT/$BUILDDIR" "$ROOT"
fi
ninja -C "$ROOT/$BUILDDIR" src/cli/imu >/dev/null

if [ "$fresh" = 1 ]; then
  rm -rf "$dir"
fi
mkdir -p "$dir"
for i in $(seq 1 "$files"); do
  f=$(printf '%s/visit-%03d.cwa' "$dir" "$i")
  if [ ! -s "$f" ]; then
    echo "generating $f …"
    "$imu" --quiet generate --format cwa --hours 24 --rate 100 --seed "$i" -o "$f.part" >/dev/null
    mv "$f.part" "$f"
  fi
done
bytes=$(du -cb "$dir"/*.cwa | tail -1 | cut -f1)
samples=$(( files * 86400 * 100 ))
cores=$(nproc)

# Runs one import of the folder into a new library; prints wall, user and
# system seconds. The CPU seconds tell what the jobs cost beside what they
# gain: on a machine whose other work leaves this one a fixed share of the
# processors, the wall time cannot show the gain, but 2 × cpu(--jobs 1) /
# cpu(default) is the ratio an idle 2-core machine gives at best.
run () {
  local jobs=$1 lib=$work/folder-bench.db times
  rm -f "$lib" "$lib-wal" "$lib-shm"
  times=$(mktemp)
  /usr/bin/time -f '%e %U %S' -o "$times" \
    "$imu" --library "$lib" --quiet import --device-timezone UTC --jobs "$jobs" "$dir" >/dev/null
  n=$(sqlite3 "$lib" "SELECT count(*) FROM sessions")
  if [ "$n" != "$files" ]; then
    echo "folder.sh: --jobs $jobs imported $n sessions, not $files" >&2
    exit 1
  fi
  rm -f "$lib" "$lib-wal" "$lib-shm"
  cat "$times"
  rm -f "$times"
}

echo "folder: $files one-day AX3 files, $(( bytes / 1000000 )) MB, $samples samples; $cores processors; load $(cut -d' ' -f1 /proc/loadavg)"
t1=$(run 1)
tn=$(run 0)
python3 - "$t1" "$tn" "$samples" "$bytes" "$cores" <<'PY'
import sys
w1, u1, s1 = map(float, sys.argv[1].split())
wn, un, sn = map(float, sys.argv[2].split())
samples, nbytes, cores = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
for name, w, c in (("--jobs 1", w1, u1 + s1), (f"--jobs {cores} (default)", wn, un + sn)):
    print(f"{name:22s} {w:8.2f} s wall  {c:8.2f} s CPU  {samples / w / 1e6:7.2f} M samples/s  {nbytes / w / 1e6:7.1f} MB/s")
print(f"ratio default / --jobs 1: {w1 / wn:.2f}x wall (target >= 1.7x on 2 cores)")
print(f"CPU per file, default / --jobs 1: {(un + sn) / (u1 + s1):.2f}; "
      f"at best on {cores} idle cores: {cores * (u1 + s1) / (un + sn):.2f}x")
PY
