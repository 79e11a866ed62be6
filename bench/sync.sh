#!/usr/bin/env bash
# bench/sync.sh — upload and download speed of `imu sync` to Azure Blob
# Storage (Azurite on loopback), against rclone moving the same bundle file
# to the same Azurite in the same run.
#
#   bench/sync.sh [--hours H]
#
# The session is `imu generate --hours 24 --rate 100 --seed 1` (6 channels,
# 8.64 M rows) imported into a fresh library; its bundle is what travels.
# Not part of the test suite; docs/benchmarks.md says what is measured.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

hours=24
while [ $# -gt 0 ]; do
  case "$1" in
    --hours) hours=$2; shift 2 ;;
    --hours=*) hours=${1#--hours=}; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "sync.sh: unknown argument “$1” (see --help)" >&2; exit 1 ;;
  esac
done

work=${IMU_BENCH_DIR:-$ROOT/$BUILDDIR/bench-work}
imu=$ROOT/$BUILDDIR/src/cli/imu
servers=$ROOT/tests/servers
mkdir -p "$work"

if [ ! -x "$servers/node_modules/.bin/azurite-blob" ]; then
  echo "sync.sh: Azurite is missing: run scripts/deps.sh (npm ci in tests/servers)" >&2
  exit 1
fi
if ! command -v rclone >/dev/null 2>&1; then
  echo "sync.sh: installing rclone (Debian package) for the baseline …"
  apt-get -o DPkg::Lock::Timeout=900 install -y -qq rclone >/dev/null
fi
if [ ! -f "$ROOT/$BUILDDIR/build.ninja" ]; then
  meson setup "$ROOT/$BUILDDIR" "$ROOT"
fi
ninja -C "$ROOT/$BUILDDIR" src/cli/imu >/dev/null

run=$(mktemp -d "${TMPDIR:-/tmp}/imu-bench-sync-XXXXXX")
az_pid=
cleanup () {
  if [ -n "$az_pid" ]; then kill "$az_pid" 2>/dev/null || true; wait "$az_pid" 2>/dev/null || true; fi
  rm -rf "$run"
}
trap cleanup EXIT
# Secrets and staging of this run only, in the file store.
export XDG_CONFIG_HOME=$run/config XDG_CACHE_HOME=$run/cache IMU_SECRETS_BACKEND=file

csv=$work/imu-${hours}h-100hz-seed1.csv
if [ ! -s "$csv" ]; then
  echo "generating $csv …"
  "$imu" --quiet generate --hours "$hours" --rate 100 --seed 1 -o "$csv.part" >/dev/null
  mv "$csv.part" "$csv"
fi
lib_a=$run/a.db
"$imu" --quiet --library "$lib_a" import "$csv" >/dev/null

# Azurite, on a free port, with its data in this run's folder.
"$servers/start-azurite.sh" "" "$run/azurite" >"$run/azurite.port" &
az_pid=$!
mkdir -p "$run/azurite"
for _ in $(seq 100); do
  [ -s "$run/azurite.port" ] && break
  sleep 0.1
done
port=$(cut -d' ' -f1 "$run/azurite.port")
for _ in $(seq 300); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
node "$servers/azure-admin.js" create-container "$port" bench
sas=$(node "$servers/azure-admin.js" sas "$port" bench racwdl 120)
url=http://127.0.0.1:$port/devstoreaccount1/bench

now () { date +%s.%N; }
# Prints "n/a" when the time is too small to measure (the subtraction of a
# separately timed step can come out at or below zero on a busy machine).
mibps () { python3 -c "import sys; b, t = float(sys.argv[1]), float(sys.argv[2]); print(f'{b / t / 1048576:.1f}' if t > 0.005 else 'n/a')" "$1" "$2"; }
secs () { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$2"; }

# 1. Writing the bundle alone (what `imu sync` does before it sends).
t0=$(now)
"$imu" --quiet --library "$lib_a" export 1 --format bundle -o "$run/session.imub" >/dev/null
t1=$(now)
bundle_bytes=$(stat -c %s "$run/session.imub")
write_s=$(secs "$t0" "$t1")

# 2. imu sync: push (bundle + upload + verify).
printf '%s' "$sas" | "$imu" --quiet --library "$lib_a" target add cloud azure --container-url "$url" \
  --sas-from-stdin --prefix imu >/dev/null
t0=$(now)
"$imu" --quiet --library "$lib_a" sync --target cloud --once
t1=$(now)
push_s=$(secs "$t0" "$t1")
up_s=$(python3 -c "print(f'{max($push_s - $write_s, 0.0):.3f}')")

# 3. imu sync --pull into an empty library (download + verify + import).
lib_b=$run/b.db
printf '%s' "$sas" | "$imu" --quiet --library "$lib_b" target add cloud azure --container-url "$url" \
  --sas-from-stdin --prefix imu >/dev/null
t0=$(now)
"$imu" --quiet --library "$lib_b" sync --target cloud --pull --no-push --once
t1=$(now)
pull_s=$(secs "$t0" "$t1")
# Importing the bundle alone, to separate the download from the import.
t0=$(now)
"$imu" --quiet --library "$run/c.db" import "$run/session.imub" >/dev/null
t1=$(now)
import_s=$(secs "$t0" "$t1")
down_s=$(python3 -c "print(f'{max($pull_s - $import_s, 0.0):.3f}')")

# 4. rclone, the same file, the same server, through the container SAS URL.
remote=":azureblob,sas_url='$url?$sas':bench/rclone/session.imub"
t0=$(now)
rclone copyto --ignore-times --azureblob-chunk-size 4Mi "$run/session.imub" "$remote" 2>"$run/rclone-up.log"
t1=$(now)
rclone_up_s=$(secs "$t0" "$t1")
t0=$(now)
rclone copyto --ignore-times "$remote" "$run/rclone-down.imub" 2>"$run/rclone-down.log"
t1=$(now)
rclone_down_s=$(secs "$t0" "$t1")
cmp "$run/session.imub" "$run/rclone-down.imub"

echo
echo "bundle: $(mibps "$bundle_bytes" 1) MiB ($bundle_bytes bytes) for a ${hours} h, 100 Hz, 6-channel session"
printf '%-34s %8s s\n' "imu: write the bundle" "$write_s"
printf '%-34s %8s s  %6s MiB/s (whole command)\n' "imu sync: push" "$push_s" "$(mibps "$bundle_bytes" "$push_s")"
printf '%-34s %8s s  %6s MiB/s\n' "imu sync: upload (push − write)" "$up_s" "$(mibps "$bundle_bytes" "$up_s")"
printf '%-34s %8s s  %6s MiB/s\n' "rclone: upload" "$rclone_up_s" "$(mibps "$bundle_bytes" "$rclone_up_s")"
printf '%-34s %8s s  %6s MiB/s (whole command)\n' "imu sync --pull" "$pull_s" "$(mibps "$bundle_bytes" "$pull_s")"
printf '%-34s %8s s\n' "imu: import the bundle" "$import_s"
printf '%-34s %8s s  %6s MiB/s\n' "imu sync: download (pull − import)" "$down_s" "$(mibps "$bundle_bytes" "$down_s")"
printf '%-34s %8s s  %6s MiB/s\n' "rclone: download" "$rclone_down_s" "$(mibps "$bundle_bytes" "$rclone_down_s")"
echo
python3 - "$rclone_up_s" "$up_s" "$rclone_down_s" "$down_s" <<'EOF'
import sys
ru, iu, rd, idn = map(float, sys.argv[1:])
def ratio(r, i):
    return f"{r / i:.2f}×" if i > 0.005 else "n/a (too fast to separate from the import)"
print(f"upload:   imu sync at {ratio(ru, iu)} rclone's speed")
print(f"download: imu sync at {ratio(rd, idn)} rclone's speed")
EOF

# ---- S3: imu sync and rclone against the same S3 emulator (s3rver) ----
# The same bundle file, the same server; both sign with SigV4 (s3rver
# knows the access key S3RVER and accepts any secret). imu sends 8 MiB
# parts 4 at a time; rclone its defaults (5 MiB parts, 4 at once).
s3_pid=
cleanup_s3 () {
  if [ -n "$s3_pid" ]; then kill "$s3_pid" 2>/dev/null || true; wait "$s3_pid" 2>/dev/null || true; fi
}
trap 'cleanup_s3; cleanup' EXIT
"$servers/start-s3.sh" "$run/s3" imu >"$run/s3.env" 2>"$run/s3.err" &
s3_pid=$!
for _ in $(seq 300); do
  grep -q '^S3_ENDPOINT=' "$run/s3.env" 2>/dev/null && break
  sleep 0.1
done
s3_url=$(sed -n 's/^S3_ENDPOINT=//p' "$run/s3.env")
if [ -z "$s3_url" ]; then
  echo "sync.sh: s3rver did not start: $(cat "$run/s3.err")" >&2
  exit 1
fi
s3_secret=bench-s3-secret-key

printf '%s' "$s3_secret" | "$imu" --quiet --library "$lib_a" target add s3 s3 --endpoint "$s3_url" \
  --region us-east-1 --bucket imu --access-key S3RVER --secret-from-stdin --path-style --prefix imu >/dev/null
# The transfer alone is timed from `imu sync`'s own progress lines (its
# standard error), to "verifying": a push from its first line with a size
# ("0.0 / 230.2 MiB", once the bundle is written), a pull from its first
# line ("starting", before the manifest is read). A whole command minus a
# separately timed bundle write or import would drown the transfer in
# their noise on a busy machine.
stamp_lines () {
  while IFS= read -r line; do printf '%s %s\n' "$(date +%s.%N)" "$line"; done
}
transfer_secs () {
  python3 - "$1" <<'PYEOF'
import sys
start = end = None
for line in open(sys.argv[1], encoding='utf-8'):
    t, _, text = line.partition(' ')
    if start is None and ((' → ' in text and ' MiB (' in text) or ' ← ' in text):
        start = float(t)
    if text.rstrip().endswith(': verifying') and end is None:
        end = float(t)
print(f'{max(end - start, 0.001):.2f}' if start is not None and end is not None else 'nan')
PYEOF
}
t0=$(now)
"$imu" --library "$lib_a" sync --target s3 --once 2> >(stamp_lines >"$run/s3-push.lines")
t1=$(now)
sleep 0.2
s3_push_s=$(secs "$t0" "$t1")
s3_up_s=$(transfer_secs "$run/s3-push.lines")

lib_d=$run/d.db
printf '%s' "$s3_secret" | "$imu" --quiet --library "$lib_d" target add s3 s3 --endpoint "$s3_url" \
  --region us-east-1 --bucket imu --access-key S3RVER --secret-from-stdin --path-style --prefix imu >/dev/null
t0=$(now)
"$imu" --library "$lib_d" sync --target s3 --pull --no-push --once 2> >(stamp_lines >"$run/s3-pull.lines")
t1=$(now)
sleep 0.2
s3_pull_s=$(secs "$t0" "$t1")
s3_down_s=$(transfer_secs "$run/s3-pull.lines")

# rclone's S3 backend reads AWS_CA_BUNDLE when it is set, and fails when it
# names no file: it is not needed for http on loopback.
unset AWS_CA_BUNDLE
s3_remote=":s3,provider=Other,env_auth=false,access_key_id=S3RVER,secret_access_key=$s3_secret,endpoint='$s3_url',force_path_style=true,region=us-east-1:imu/rclone/session.imub"
t0=$(now)
rclone copyto --ignore-times "$run/session.imub" "$s3_remote" 2>"$run/rclone-s3-up.log"
t1=$(now)
rclone_s3_up_s=$(secs "$t0" "$t1")
t0=$(now)
rclone copyto --ignore-times "$s3_remote" "$run/rclone-s3-down.imub" 2>"$run/rclone-s3-down.log"
t1=$(now)
rclone_s3_down_s=$(secs "$t0" "$t1")
cmp "$run/session.imub" "$run/rclone-s3-down.imub"

echo
echo "S3 (s3rver on loopback), the same bundle:"
printf '%-34s %8s s  %6s MiB/s (whole command)\n' "imu sync: push" "$s3_push_s" "$(mibps "$bundle_bytes" "$s3_push_s")"
printf '%-34s %8s s  %6s MiB/s (transferring → verifying)\n' "imu sync: upload" "$s3_up_s" "$(mibps "$bundle_bytes" "$s3_up_s")"
printf '%-34s %8s s  %6s MiB/s (whole command)\n' "rclone: upload" "$rclone_s3_up_s" "$(mibps "$bundle_bytes" "$rclone_s3_up_s")"
printf '%-34s %8s s  %6s MiB/s (whole command)\n' "imu sync --pull" "$s3_pull_s" "$(mibps "$bundle_bytes" "$s3_pull_s")"
printf '%-34s %8s s  %6s MiB/s (transferring → verifying)\n' "imu sync: download" "$s3_down_s" "$(mibps "$bundle_bytes" "$s3_down_s")"
printf '%-34s %8s s  %6s MiB/s (whole command)\n' "rclone: download" "$rclone_s3_down_s" "$(mibps "$bundle_bytes" "$rclone_s3_down_s")"
echo
python3 - "$rclone_s3_up_s" "$s3_up_s" "$rclone_s3_down_s" "$s3_down_s" <<'PYEOF'
import sys
ru, iu, rd, idn = map(float, sys.argv[1:])
print(f"S3 upload:   imu sync at {ru / iu:.2f}× rclone's speed")
print(f"S3 download: imu sync at {rd / idn:.2f}× rclone's speed")
PYEOF
