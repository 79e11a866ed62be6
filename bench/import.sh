#!/usr/bin/env bash
# bench/import.sh — import speed, peak memory and library size of `imu import`
# against sqlite3's .import and DuckDB's read_csv → Parquet, measured on the
# same CSV in the same run; then the plot's envelope queries on the result.
#
#   bench/import.sh [--hours H] [--fresh] [--no-duckdb] [--no-sqlite]
#
# The CSV (24 h at 100 Hz by default: 8.64 M rows, ~556 MB, from
# `imu generate --seed 1`) is cached in the work directory and re-used:
# $IMU_BENCH_DIR, default build/bench-work. --fresh makes it again.
# Not part of the test suite; docs/benchmarks.md says what is measured.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

hours=24
rate=100
fresh=0
want_duckdb=1
want_sqlite=1
while [ $# -gt 0 ]; do
  case "$1" in
    --hours) hours=$2; shift 2 ;;
    --hours=*) hours=${1#--hours=}; shift ;;
    --fresh) fresh=1; shift ;;
    --no-duckdb) want_duckdb=0; shift ;;
    --no-sqlite) want_sqlite=0; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "import.sh: unknown argument “$1” (see --help)" >&2; exit 1 ;;
  esac
done

DUCKDB_NODE_VERSION=1.5.6-r.1
work=${IMU_BENCH_DIR:-$ROOT/$BUILDDIR/bench-work}
imu=$ROOT/$BUILDDIR/src/cli/imu
envelope=$ROOT/$BUILDDIR/bench/bench-envelope
mkdir -p "$work"

for tool in /usr/bin/time sqlite3 python3; do
  if [ ! -x "$tool" ] && ! command -v "$tool" >/dev/null 2>&1; then
    echo "import.sh: $tool is missing: run scripts/deps.sh first" >&2
    exit 1
  fi
done

# Build what the benchmark runs (a no-op when up to date).
if [ ! -f "$ROOT/$BUILDDIR/build.ninja" ]; then
  meson setup "$ROOT/$BUILDDIR" "$ROOT"
fi
ninja -C "$ROOT/$BUILDDIR" src/cli/imu bench/bench-envelope >/dev/null

csv=$work/imu-${hours}h-${rate}hz-seed1.csv
if [ "$fresh" = 1 ] || [ ! -s "$csv" ]; then
  echo "generating $csv …"
  "$imu" --quiet generate --hours "$hours" --rate "$rate" --seed 1 -o "$csv.part" >/dev/null
  mv "$csv.part" "$csv"
fi
rows=$(( $(wc -l <"$csv") - 1 ))
csv_bytes=$(stat -c %s "$csv")

# measure NAME COMMAND…: wall time (s) and peak RSS (KiB) of a command,
# into $work/NAME.wall and $work/NAME.rss; its output into NAME.out/.err.
measure () {
  local name=$1 start end
  shift
  # The CSV comes from the page cache for every contender alike.
  cat "$csv" >/dev/null
  start=$(date +%s.%N)
  if ! /usr/bin/time -v -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err"; then
    end=$(date +%s.%N)
    echo "import.sh: $name failed:" >&2
    tail -n 5 "$work/$name.err" >&2
    return 1
  fi
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.3f}')" >"$work/$name.wall"
  sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$work/$name.time" >"$work/$name.rss"
}

results=$work/results.txt
: >"$results"

# --- imu import -------------------------------------------------------------
echo "imu import …"
rm -f "$work/imu.db" "$work/imu.db-wal" "$work/imu.db-shm"
measure imu "$imu" --quiet --library "$work/imu.db" import "$csv"
# Fold the write-ahead log into the file so that the size is the library's.
sqlite3 "$work/imu.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
imu_bytes=$(( $(stat -c %s "$work/imu.db") + $(stat -c %s "$work/imu.db-wal" 2>/dev/null || echo 0) ))
echo "imu $(cat "$work/imu.wall") $(cat "$work/imu.rss") $imu_bytes $rows" >>"$results"

# --- sqlite3 .import into a typed row table ---------------------------------
if [ "$want_sqlite" = 1 ]; then
  echo "sqlite3 .import …"
  rm -f "$work/sqlite.db"
  cat >"$work/sqlite-import.sql" <<SQL
CREATE TABLE samples (timestamp REAL, acc_x REAL, acc_y REAL, acc_z REAL,
                      gyr_x REAL, gyr_y REAL, gyr_z REAL);
.mode csv
.import --skip 1 '$csv' samples
SQL
  measure sqlite sqlite3 -bail "$work/sqlite.db" ".read '$work/sqlite-import.sql'"
  sqlite_rows=$(sqlite3 "$work/sqlite.db" "SELECT count(*) FROM samples;")
  echo "sqlite $(cat "$work/sqlite.wall") $(cat "$work/sqlite.rss") $(stat -c %s "$work/sqlite.db") $sqlite_rows" >>"$results"
fi

# --- DuckDB read_csv → Parquet (zstd) ---------------------------------------
if [ "$want_duckdb" = 1 ]; then
  if [ ! -d "$ROOT/bench/node_modules/@duckdb/node-api" ]; then
    echo "installing @duckdb/node-api $DUCKDB_NODE_VERSION into bench/node_modules …"
    if ! (command -v npm >/dev/null 2>&1 \
          && npm install --prefix "$ROOT/bench" --no-save --no-audit --no-fund --loglevel=error \
               "@duckdb/node-api@$DUCKDB_NODE_VERSION" </dev/null >"$work/npm.log" 2>&1); then
      echo "import.sh: could not install @duckdb/node-api (see $work/npm.log): DuckDB skipped"
      want_duckdb=0
    fi
  fi
fi
if [ "$want_duckdb" = 1 ]; then
  echo "duckdb read_csv → parquet …"
  rm -f "$work/samples.parquet"
  if measure duckdb node "$ROOT/bench/duckdb-parquet.mjs" "$csv" "$work/samples.parquet"; then
    duck_seconds=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['seconds'])" "$work/duckdb.out")
    duck_rows=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['rows'])" "$work/duckdb.out")
    echo "duckdb $duck_seconds $(cat "$work/duckdb.rss") $(stat -c %s "$work/samples.parquet") $duck_rows" >>"$results"
  else
    echo "import.sh: DuckDB failed: skipped"
  fi
fi

# --- report -----------------------------------------------------------------
echo
python3 - "$results" "$rows" "$csv_bytes" "$hours" "$rate" "$work" <<'PY'
import json, os, sys

path, rows, csv_bytes, hours, rate, work = sys.argv[1:7]
rows = int(rows)
r = {}
for line in open(path):
    name, wall, rss, size, n = line.split()
    r[name] = dict(wall=float(wall), rss_kib=int(rss), bytes=int(size), rows=int(n))

names = {"imu": "imu import", "sqlite": "sqlite3 .import (typed table)",
         "duckdb": "DuckDB read_csv → Parquet zstd"}
print(f"import of {rows} rows ({hours} h at {rate} Hz, 7 columns, "
      f"{int(csv_bytes) / 1e6:.1f} MB of CSV), {os.cpu_count()} cores")
print(f"{'':32} {'wall s':>8} {'rows/s':>12} {'peak RSS':>10} {'bytes/row':>10}")
for key in ("imu", "sqlite", "duckdb"):
    if key not in r:
        continue
    x = r[key]
    note = "" if x["rows"] == rows else f"  (holds {x['rows']} rows!)"
    print(f"{names[key]:32} {x['wall']:8.2f} {rows / x['wall'] / 1e6:10.2f} M "
          f"{x['rss_kib'] / 1024:7.1f} MiB {x['bytes'] / rows:10.2f}{note}")
if "duckdb" in r:
    print("(DuckDB's time is its COPY statement alone, measured inside Node; its RSS is Node's.)")

imu = r["imu"]
print()
checks = []
def check(text, value, ok):
    checks.append(ok)
    print(f"{text:58} {value:>14}   {'met' if ok else 'MISSED'}")

if "sqlite" in r:
    ratio = r["sqlite"]["wall"] / imu["wall"]
    check("sqlite3 time / imu time (target ≥ 5×)", f"{ratio:.2f}×", ratio >= 5)
if "duckdb" in r:
    ratio = r["duckdb"]["wall"] / imu["wall"]
    check("DuckDB time / imu time (target ≥ 2×)", f"{ratio:.2f}×", ratio >= 2)
    print(f"{'imu bytes/row vs Parquet bytes/row':58} "
          f"{imu['bytes'] / rows:.2f} vs {r['duckdb']['bytes'] / rows:.2f}"
          f" ({imu['bytes'] / r['duckdb']['bytes']:.2f}×)")
check("imu library bytes/row (target ≤ 12)", f"{imu['bytes'] / rows:.2f}", imu["bytes"] / rows <= 12)
check("imu peak RSS (target ≤ 64 MiB)", f"{imu['rss_kib'] / 1024:.1f} MiB", imu["rss_kib"] <= 64 * 1024)
PY

echo
echo "envelope queries on the imported library:"
"$envelope" "$work/imu.db"
