#!/usr/bin/env bash
# bench/device.sh — `imu import` of an Axivity AX3 device file: wall time,
# peak memory and library size, against `imu import` of the same samples as
# the CSV that `imu export` writes of that session, measured in the same run.
#
#   bench/device.sh [--fresh]
#
# The CWA file (IMU_BENCH_DAYS days at 100 Hz, default 7: 60.48 M samples,
# ~258 MB, from `imu generate --format cwa --seed 1`) and its CSV export
# are cached in the work directory and re-used: $IMU_BENCH_DIR, default
# build/bench-work. --fresh makes them again. IMU_BENCH_RUNS (default 1)
# repeats the two imports, interleaved, and reports each one's median.
# Not part of the test suite; docs/benchmarks.md says what is measured.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

days=${IMU_BENCH_DAYS:-7}
runs=${IMU_BENCH_RUNS:-1}
rate=100
fresh=0
while [ $# -gt 0 ]; do
  case "$1" in
    --fresh) fresh=1; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "device.sh: unknown argument “$1” (see --help)" >&2; exit 1 ;;
  esac
done

work=${IMU_BENCH_DIR:-$ROOT/$BUILDDIR/bench-work}
imu=$ROOT/$BUILDDIR/src/cli/imu
mkdir -p "$work"

for tool in /usr/bin/time sqlite3 python3; do
  if [ ! -x "$tool" ] && ! command -v "$tool" >/dev/null 2>&1; then
    echo "device.sh: $tool is missing: run scripts/deps.sh first" >&2
    exit 1
  fi
done

# Build what the benchmark runs (a no-op when up to date).
if [ ! -f "$ROOT/$BUILDDIR/build.ninja" ]; then
  meson setup "$ROOT/$BUILDDIR" "$ROOT"
fi
ninja -C "$ROOT/$BUILDDIR" src/cli/imu >/dev/null

cwa=$work/ax3-${days}d-${rate}hz-seed1.cwa
csv=$work/ax3-${days}d-${rate}hz-seed1-export
if [ "$fresh" = 1 ] || [ ! -s "$cwa" ]; then
  echo "generating $cwa …"
  rm -rf "$csv"
  "$imu" --quiet generate --format cwa --hours "$(( days * 24 ))" --rate "$rate" --seed 1 \
    -o "$cwa.part" >/dev/null
  mv "$cwa.part" "$cwa"
fi
cwa_bytes=$(stat -c %s "$cwa")
expected=$(( days * 86400 * rate ))

# The CSV baseline: the session as `imu export` writes it (one CSV per
# stream in a folder), imported again as a folder.
if [ ! -s "$csv/accelerometer.csv" ]; then
  echo "exporting the session as CSV …"
  rm -rf "$csv" "$work/export.db" "$work/export.db-wal" "$work/export.db-shm"
  "$imu" --quiet --library "$work/export.db" import --device-timezone UTC "$cwa" >/dev/null
  "$imu" --quiet --library "$work/export.db" export 1 -o "$csv" >/dev/null
  rm -f "$work/export.db" "$work/export.db-wal" "$work/export.db-shm"
fi
csv_bytes=$(du -bs "$csv" | cut -f1)

# measure NAME RUN INPUT COMMAND…: wall time (s) and peak RSS (KiB) of a
# command, appended to $work/NAME.times as "wall rss".
measure () {
  local name=$1 input=$2
  shift 2
  # The input comes from the page cache for every contender alike.
  cat "$input" >/dev/null 2>&1 || find "$input" -type f -exec cat {} + >/dev/null
  if ! /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err"; then
    echo "device.sh: $name failed:" >&2
    tail -n 5 "$work/$name.err" >&2
    return 1
  fi
  cat "$work/$name.time" >>"$work/$name.times"
}

# library NAME: bytes of the library NAME.db with its write-ahead log folded in.
library_bytes () {
  sqlite3 "$work/$1.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
  echo $(( $(stat -c %s "$work/$1.db") + $(stat -c %s "$work/$1.db-wal" 2>/dev/null || echo 0) ))
}

# samples NAME STREAM: how many samples the stream of session 1 holds.
samples () {
  "$imu" --quiet --library "$work/$1.db" show --json 1 \
    | python3 -c "import json,sys; print(sum(s['samples'] for s in json.load(sys.stdin)['streams'] if s['name'] == sys.argv[1]))" "$2"
}

fresh_library () {
  rm -f "$work/$1.db" "$work/$1.db-wal" "$work/$1.db-shm"
}

rm -f "$work/cwa.times" "$work/csv.times"
for run in $(seq 1 "$runs"); do
  echo "run $run/$runs: imu import of the CWA file …"
  fresh_library cwa
  measure cwa "$cwa" "$imu" --quiet --library "$work/cwa.db" import --device-timezone UTC "$cwa"
  echo "run $run/$runs: imu import of the CSV export …"
  fresh_library csv
  measure csv "$csv" "$imu" --quiet --library "$work/csv.db" import "$csv"
done

cwa_lib=$(library_bytes cwa)
csv_lib=$(library_bytes csv)
counts="$(samples cwa accelerometer) $(samples csv accelerometer) $(samples cwa device) $(samples csv device)"

echo
python3 - "$work" "$days" "$rate" "$expected" "$cwa_bytes" "$csv_bytes" "$cwa_lib" "$csv_lib" $counts <<'PY'
import os, statistics, sys

work, days, rate, expected, cwa_bytes, csv_bytes, cwa_lib, csv_lib = sys.argv[1:9]
acc_cwa, acc_csv, dev_cwa, dev_csv = map(int, sys.argv[9:13])
expected, cwa_bytes, csv_bytes, cwa_lib, csv_lib = map(int, (expected, cwa_bytes, csv_bytes, cwa_lib, csv_lib))

def load(name):
    walls, rss = [], []
    for line in open(os.path.join(work, name + ".times")):
        w, r = line.split()
        walls.append(float(w))
        rss.append(int(r))
    return statistics.median(walls), max(rss), len(walls)

cwa_wall, cwa_rss, n = load("cwa")
csv_wall, csv_rss, _ = load("csv")
try:
    load_avg = " ".join(f"{x:.2f}" for x in os.getloadavg())
except OSError:
    load_avg = "?"
print(f"import of {expected} samples ({days} d at {rate} Hz, AX3 packed ±8 g), "
      f"{os.cpu_count()} cores, load average {load_avg}, median of {n} run(s)")
print(f"{'':30} {'input MB':>9} {'wall s':>8} {'samples/s':>11} {'peak RSS':>10} {'library MB':>11}")
for name, wall, rss, size, lib in (("imu import (CWA)", cwa_wall, cwa_rss, cwa_bytes, cwa_lib),
                                    ("imu import (CSV export)", csv_wall, csv_rss, csv_bytes, csv_lib)):
    print(f"{name:30} {size / 1e6:9.1f} {wall:8.2f} {expected / wall / 1e6:9.2f} M "
          f"{rss / 1024:7.1f} MiB {lib / 1e6:11.1f}")
print()

def check(text, value, ok):
    print(f"{text:58} {value:>14}   {'met' if ok else 'MISSED'}")

days_f = float(days)
# The 6 s target is for 7 days; a shorter file is held to its share.
target_s = 6.0 * days_f / 7.0
check(f"CWA import wall time (target ≤ {target_s:.2f} s{'' if days_f == 7 else ', 6 s × days / 7'})",
      f"{cwa_wall:.2f} s", cwa_wall <= target_s)
check("CSV import time / CWA import time (target ≥ 3×)", f"{csv_wall / cwa_wall:.2f}×", csv_wall / cwa_wall >= 3)
check("CWA import peak RSS (target ≤ 64 MiB)", f"{cwa_rss / 1024:.1f} MiB", cwa_rss <= 64 * 1024)
check("library bytes / CWA file bytes (target ≤ 0.8×)", f"{cwa_lib / cwa_bytes:.3f}×", cwa_lib / cwa_bytes <= 0.8)
check(f"accelerometer samples back (CWA, CSV; {expected} written)", f"{acc_cwa}, {acc_csv}",
      acc_cwa == expected and acc_csv == expected)
check("device (light, temperature, battery) samples, CWA = CSV", f"{dev_cwa}, {dev_csv}", dev_cwa == dev_csv)
PY
