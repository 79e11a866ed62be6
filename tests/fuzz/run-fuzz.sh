#!/usr/bin/env bash
# run-fuzz.sh TARGET CORPUS — runs one libFuzzer target for $IMU_FUZZ_SECONDS
# (default 30) on a scratch copy of its corpus, seeded too with real files
# of ../shared/data/real where they are (by path; never copied into the
# tree). TAP: one test, "ok" or "not ok" with the crash's summary; a crashing
# input is kept in $MESON_BUILD_ROOT/fuzz-crashes/NAME/ (add it to the corpus
# once fixed, so that the suite keeps it).
set -uo pipefail
exe=$1
corpus=$2
name=$(basename "$exe")
seconds=${IMU_FUZZ_SECONDS:-30}
build=${MESON_BUILD_ROOT:-$(dirname "$exe")}
work=$build/fuzz-work/$name
crashes=$build/fuzz-crashes/$name
real=${IMU_SHARED_DATA:-}

rm -rf "$work"
mkdir -p "$work" "$crashes"
cp "$corpus"/* "$work/" 2>/dev/null || true
if [ "$name" = fuzz-import ] && [ -n "$real" ] && [ -d "$real/real" ]; then
  # The first byte of an import input picks its file name: 0 = .csv.
  find "$real/real/imu_csv" "$real/real/sensorlogger" "$real/real/applewatch" -type f -size -512k 2>/dev/null \
    | head -n 40 | while IFS= read -r f; do
      { printf '\000'; cat "$f"; } > "$work/real-$(basename "$f" | tr -c 'A-Za-z0-9._-' _)"
    done
fi

if [ "$name" = fuzz-cwa ] && [ -n "$real" ] && [ -d "$real/real/cwa" ]; then
  # The real CWA files as they are: every one is under the target's 1 MiB.
  find "$real/real/cwa" -type f -iname '*.cwa' -size -1024k 2>/dev/null | while IFS= read -r f; do
    cp "$f" "$work/real-$(basename "$f" | tr -c 'A-Za-z0-9._-' _)"
  done
fi

export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=0:allocator_may_return_null=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
log=$build/fuzz-work/$name.log
echo "1..1"
if "$exe" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=65536 \
     -artifact_prefix="$crashes/" -print_final_stats=1 "$work" >"$log" 2>&1; then
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  echo "ok 1 - $name: ${runs:-?} runs in $seconds s, no crash"
else
  echo "not ok 1 - $name crashed; input in $crashes/, log $log"
  grep -E "ERROR|SUMMARY|runtime error|#[0-5] 0x" "$log" | grep -v "deadly signal" | head -n 12 | sed 's/^/# /'
  exit 1
fi
