#!/usr/bin/env bash
# bench/record.sh — the recorder under load, each part against a baseline
# measured in the same run:
#
#   bench/record.sh [udp] [phones] [replay]      (all three by default)
#
# udp     a UDP flood on loopback of 6-channel CSV lines (20 a datagram) at
#         rising rates, 3 s each: samples recorded and lost, and the CPU of
#         the recorder's threads; baseline: socat receiving the same
#         datagrams into /dev/null at the highest rate without loss.
# phones  16 simulated Sensor Logger phones × 5 sensors × 100 Hz posting a
#         batch every 200 ms for 20 s: recorder CPU % of one core and the
#         delay from a batch's 200 response to the commit holding it
#         (p50/p99/max), against the commit interval.
# replay  peak RSS of `imu record --source replay:SESSION --speed N` of a
#         24 h session (`imu generate --hours 24`, 8.64 M rows, imported
#         once; IMU_BENCH_SPEED, default 1000, so it takes 86 s), against
#         the peak RSS of the `imu import` that made that session.
#
# Work files in $IMU_BENCH_DIR (default build/bench-work); the generated
# CSV is kept and re-used. Prints figures; never fails on them.
# docs/benchmarks.md says what is measured.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

speed=${IMU_BENCH_SPEED:-1000}
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(udp phones replay)
for p in "${parts[@]}"; do
  case "$p" in
    udp|phones|replay) ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "record.sh: unknown part “$p” (see --help)" >&2; exit 1 ;;
  esac
done

for tool in /usr/bin/time socat python3; do
  if [ ! -x "$tool" ] && ! command -v "$tool" >/dev/null 2>&1; then
    echo "record.sh: $tool is missing: run scripts/deps.sh first" >&2
    exit 1
  fi
done

if [ ! -f "$ROOT/$BUILDDIR/build.ninja" ]; then
  meson setup "$ROOT/$BUILDDIR" "$ROOT"
fi
ninja -C "$ROOT/$BUILDDIR" src/cli/imu bench/bench-record >/dev/null

work=${IMU_BENCH_DIR:-$ROOT/$BUILDDIR/bench-work}
imu=$ROOT/$BUILDDIR/src/cli/imu
bench=$ROOT/$BUILDDIR/bench/bench-record
mkdir -p "$work"

fresh_library () {
  rm -f "$work/$1.db" "$work/$1.db-wal" "$work/$1.db-shm" "$work/$1.db"-rec-*.lock
}

load_average () {
  cut -d' ' -f1-3 /proc/loadavg
}

for p in "${parts[@]}"; do
  case "$p" in
    udp)
      echo "== udp flood ($(nproc) cores, load average $(load_average))"
      fresh_library record-udp
      "$bench" udp "$work/record-udp.db"
      ;;
    phones)
      echo "== Sensor Logger phones ($(nproc) cores, load average $(load_average))"
      fresh_library record-phones
      "$bench" phones "$work/record-phones.db"
      ;;
    replay)
      echo "== replay of 24 h at ×$speed ($(nproc) cores, load average $(load_average))"
      csv=$work/day-24h-100hz-seed1.csv
      if [ ! -s "$csv" ]; then
        "$imu" --quiet generate --hours 24 --rate 100 --seed 1 -o "$csv.part" >/dev/null
        mv "$csv.part" "$csv"
      fi
      fresh_library record-replay
      /usr/bin/time -f "%e %M" -o "$work/replay-import.time" \
        "$imu" --quiet --library "$work/record-replay.db" import "$csv" >/dev/null
      /usr/bin/time -f "%e %M" -o "$work/replay-record.time" \
        "$imu" --quiet --library "$work/record-replay.db" record --source replay:1 --speed "$speed" \
        --title "replay bench" >"$work/replay-record.out"
      session=$(tail -n 1 "$work/replay-record.out" | cut -f1)
      python3 - "$work" "$speed" "$session" <<'PY'
import os, sys
work, speed, session = sys.argv[1:4]
iw, irss = open(os.path.join(work, "replay-import.time")).read().split()
rw, rrss = open(os.path.join(work, "replay-record.time")).read().split()
irss, rrss = int(irss), int(rrss)
print(f"imu import of the 24 h CSV (baseline): {float(iw):.1f} s, peak RSS {irss / 1024:.1f} MiB")
print(f"imu record --source replay:1 --speed {speed}: {float(rw):.1f} s, peak RSS {rrss / 1024:.1f} MiB "
      f"(ratio {rrss / irss:.2f}), session {session}")
PY
      "$imu" --quiet --library "$work/record-replay.db" show --json "$session" \
        | python3 -c "import json,sys; d=json.load(sys.stdin); print('replayed:', ', '.join(f\"{s['name']} {s['samples']} samples\" for s in d['streams']))"
      ;;
  esac
done
