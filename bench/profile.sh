#!/usr/bin/env bash
# bench/profile.sh — wall time and peak memory of `imu profile` on a day of
# 100 Hz, 6-channel data (8.64 M rows), against the targets (≤ 1 s, ≤ 64
# MiB), and DuckDB computing the channels' min/max/mean/std and exact
# quantiles on the same CSV in the same run; prints ratios, and how far
# DuckDB's numbers are from the profile's.
#
#   bench/profile.sh [--hours H] [--runs N] [--no-duckdb]
#
# Reuses bench/import.sh's work directory ($IMU_BENCH_DIR, default
# $BUILDDIR/bench-work): its CSV and, when it holds the session, its
# library; otherwise makes them with `imu generate` and `imu import`.
# The library is only read (the profile is stored in it). Not part of the
# test suite; docs/benchmarks.md and docs/profile.md say what is measured.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

hours=24
rate=100
runs=3
want_duckdb=1
while [ $# -gt 0 ]; do
  case "$1" in
    --hours) hours=$2; shift 2 ;;
    --hours=*) hours=${1#--hours=}; shift ;;
    --runs) runs=$2; shift 2 ;;
    --runs=*) runs=${1#--runs=}; shift ;;
    --no-duckdb) want_duckdb=0; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "profile.sh: unknown argument “$1” (see --help)" >&2; exit 1 ;;
  esac
done

# The same DuckDB as bench/import.sh, so that one install serves both.
DUCKDB_NODE_VERSION=$(sed -n 's/^DUCKDB_NODE_VERSION=//p' "$ROOT/bench/import.sh" 2>/dev/null | head -n 1)
DUCKDB_NODE_VERSION=${DUCKDB_NODE_VERSION:-1.5.6-r.1}
work=${IMU_BENCH_DIR:-$ROOT/$BUILDDIR/bench-work}
imu=$ROOT/$BUILDDIR/src/cli/imu
mkdir -p "$work"

for tool in /usr/bin/time python3; do
  if [ ! -x "$tool" ] && ! command -v "$tool" >/dev/null 2>&1; then
    echo "profile.sh: $tool is missing: run scripts/deps.sh first" >&2
    exit 1
  fi
done

if [ ! -f "$ROOT/$BUILDDIR/build.ninja" ]; then
  meson setup "$ROOT/$BUILDDIR" "$ROOT"
fi
ninja -C "$ROOT/$BUILDDIR" src/cli/imu >/dev/null

csv=$work/imu-${hours}h-${rate}hz-seed1.csv
if [ ! -s "$csv" ]; then
  echo "generating $csv …"
  "$imu" --quiet generate --hours "$hours" --rate "$rate" --seed 1 -o "$csv.part"
  mv "$csv.part" "$csv"
fi
rows=$(( $(wc -l <"$csv") - 1 ))

# The library: import.sh's when it holds this CSV, else our own.
session_of () {
  "$imu" --quiet --library "$1" list --json 2>/dev/null | python3 -c '
import json, sys, os
want = os.path.basename(sys.argv[1])
for s in json.load(sys.stdin):
    if s.get("title") == os.path.splitext(want)[0]:
        print(s["id"]); break' "$csv" || true
}
library=$work/imu.db
session=""
if [ -s "$library" ]; then
  session=$(session_of "$library")
fi
if [ -z "$session" ]; then
  library=$work/profile.db
  if [ -s "$library" ]; then
    session=$(session_of "$library")
  fi
  if [ -z "$session" ]; then
    echo "importing $csv into $library …"
    rm -f "$library" "$library-wal" "$library-shm"
    "$imu" --quiet --library "$library" import "$csv" >/dev/null
    session=$(session_of "$library")
  fi
fi
if [ -z "$session" ]; then
  echo "profile.sh: no session for $csv in $library" >&2
  exit 1
fi

# --- imu profile ------------------------------------------------------------
# Samples come from the page cache for every run (one warm-up run first);
# --force computes even though the profile is stored.
echo "imu profile (session $session of $library, $runs runs) …"
"$imu" --quiet --library "$library" profile "$session" --force >/dev/null
results=$work/profile-results.txt
: >"$results"
for i in $(seq "$runs"); do
  start=$(date +%s.%N)
  /usr/bin/time -v -o "$work/profile.time" "$imu" --quiet --library "$library" profile "$session" --force \
    >/dev/null 2>"$work/profile.err"
  end=$(date +%s.%N)
  rss=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$work/profile.time")
  cpu=$(python3 - "$work/profile.time" <<'PY'
import sys
u = s = 0.0
for line in open(sys.argv[1]):
    if "User time (seconds)" in line: u = float(line.split(":")[-1])
    if "System time (seconds)" in line: s = float(line.split(":")[-1])
print(f"{u + s:.3f}")
PY
)
  python3 -c "print(f'imu {$end - $start:.3f} $rss $cpu')" >>"$results"
done
"$imu" --quiet --library "$library" profile "$session" --json >"$work/profile.json"
# One more run with the profiler's debug log, which gives each worker
# thread's CPU time per stream: the critical path (the busier worker of
# each stream, plus what runs in one thread) is what the wall time would be
# on otherwise idle cores, whatever else the machine is doing.
G_MESSAGES_DEBUG=imu-profile /usr/bin/time -v -o "$work/profile-debug.time" \
  "$imu" --quiet --library "$library" profile "$session" --force >"$work/profile-debug.log" 2>&1

# --- DuckDB -----------------------------------------------------------------
rm -f "$work/duckdb-profile.json"
if [ "$want_duckdb" = 1 ] && [ ! -d "$ROOT/bench/node_modules/@duckdb/node-api" ]; then
  echo "installing @duckdb/node-api $DUCKDB_NODE_VERSION into bench/node_modules …"
  if ! (command -v npm >/dev/null 2>&1 \
        && npm install --prefix "$ROOT/bench" --no-save --no-audit --no-fund --loglevel=error \
             "@duckdb/node-api@$DUCKDB_NODE_VERSION" </dev/null >"$work/npm.log" 2>&1); then
    echo "profile.sh: could not install @duckdb/node-api (see $work/npm.log): DuckDB skipped"
    want_duckdb=0
  fi
fi
if [ "$want_duckdb" = 1 ]; then
  echo "DuckDB statistics of the same CSV …"
  if ! node "$ROOT/bench/duckdb-profile.mjs" "$csv" >"$work/duckdb-profile.json" 2>"$work/duckdb-profile.err"; then
    echo "profile.sh: DuckDB failed (see $work/duckdb-profile.err): skipped"
    rm -f "$work/duckdb-profile.json"
  fi
fi

# --- report -----------------------------------------------------------------
echo
python3 - "$results" "$work/profile.json" "$work/duckdb-profile.json" "$rows" "$hours" "$rate" \
  "$work/profile-debug.log" "$work/profile-debug.time" <<'PY'
import json, os, re, sys

results, profile_path, duck_path, rows, hours, rate, debug_log, debug_time = sys.argv[1:9]
rows = int(rows)
runs = []
for line in open(results):
    _, wall, rss, cpu = line.split()
    runs.append((float(wall), int(rss), float(cpu)))
best = min(runs)
wall, rss, cpu = best
channels = sum(s["n_channels"] for s in json.load(open(profile_path))["streams"])
print(f"profile of {rows} rows × {channels} channels ({hours} h at {rate} Hz), {os.cpu_count()} cores, "
      f"best of {len(runs)} runs")
print(f"{'':34} {'wall s':>8} {'M values/s':>11} {'peak RSS':>10} {'CPU s':>7}")
print(f"{'imu profile':34} {wall:8.3f} {rows * channels / wall / 1e6:11.1f} {rss / 1024:7.1f} MiB {cpu:7.2f}")
print("  all runs: " + ", ".join(f"{w:.3f} s / {r / 1024:.1f} MiB" for w, r, _ in runs))

# The critical path from the debug run's per-worker CPU times.
critical = None
try:
    per_stream = [tuple(float(v) for v in m.groups())
                  for m in re.finditer(r"CPU per worker: ([0-9.]+) s, ([0-9.]+) s", open(debug_log).read())]
    total = 0.0
    for line in open(debug_time):
        if "User time (seconds)" in line or "System time (seconds)" in line:
            total += float(line.split(":")[-1])
    if per_stream and total > 0:
        busiest = sum(max(a, b) for a, b in per_stream)
        critical = busiest + (total - sum(a + b for a, b in per_stream))
        print(f"  CPU critical path (busier worker per stream + single-threaded parts): {critical:.3f} s "
              f"of {total:.3f} s CPU")
except OSError:
    pass

duck = None
if os.path.exists(duck_path):
    duck = json.load(open(duck_path))
    print(f"{'DuckDB read_csv + statistics':34} {duck['csv_seconds']:8.3f} "
          f"{rows * channels / duck['csv_seconds'] / 1e6:11.1f}")
    print(f"{'DuckDB statistics of a loaded table':34} {duck['table_seconds']:8.3f} "
          f"{rows * channels / duck['table_seconds'] / 1e6:11.1f}")
    print(f"(DuckDB {duck['version']}: min, max, avg, stddev_samp and quantile_cont at 7 points per "
          f"channel, timed inside Node; loading the table took {duck['load_seconds']:.2f} s.)")

print()
checks = []
def check(text, value, ok):
    checks.append(ok)
    print(f"{text:62} {value:>12}   {'met' if ok else 'MISSED'}")

check("imu profile wall time (target ≤ 1 s)", f"{wall:.3f} s", wall <= 1.0)
if critical is not None and wall > 1.0:
    print(f"{'  (on idle cores, by the CPU critical path)':62} {critical:10.3f} s   "
          f"{'met' if critical <= 1.0 else 'MISSED'}")
check("imu profile peak RSS (target ≤ 64 MiB)", f"{rss / 1024:.1f} MiB", rss <= 64 * 1024)
if duck is not None:
    print(f"{'ratio DuckDB (CSV) / imu profile':62} {duck['csv_seconds'] / wall:11.2f}×")
    print(f"{'ratio DuckDB (loaded table) / imu profile':62} {duck['table_seconds'] / wall:11.2f}×")
    # The same numbers? DuckDB's exact quantiles and moments against ours.
    prof = json.load(open(profile_path))
    worst = 0.0
    worst_what = ""
    for st in prof["streams"]:
        for ch in st["channels"]:
            d = duck["channels"].get(ch["name"])
            if d is None:
                continue
            pairs = [("min", ch["min"]), ("max", ch["max"]), ("mean", ch["mean"]), ("std", ch["std"])]
            pairs += [(p, ch["percentiles"][p]) for p in ("p1", "p5", "p25", "p50", "p75", "p95", "p99")]
            for key, ours in pairs:
                theirs = d[key]
                scale = max(abs(ours), abs(theirs), 1e-300)
                rel = abs(ours - theirs) / scale
                if rel > worst:
                    worst, worst_what = rel, f"{ch['name']} {key}"
    print(f"{'largest relative difference DuckDB vs profile':62} {worst:12.2e}   ({worst_what or '—'})")
PY
