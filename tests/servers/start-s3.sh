#!/bin/bash
# start-s3.sh — the S3 emulator (s3rver) on loopback, optionally behind the
# SigV4-verifying proxy, for benchmarks and trying things by hand
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: tests/servers/start-s3.sh DATA_DIR [BUCKET] [--verify SECRET_KEY]
#
# Starts s3rver on a free 127.0.0.1 port with BUCKET (default "imu")
# created, storing objects in DATA_DIR, and prints
#   S3_ENDPOINT=http://127.0.0.1:PORT
#   S3_PIDS="PID …"
# then keeps running until it is killed (it stops its servers then). With
# --verify, S3_ENDPOINT is the verifying proxy (s3-verify-proxy.mjs), which
# refuses requests not signed with access key S3RVER and SECRET_KEY.
# s3rver itself accepts only the access key S3RVER, with any secret.
# Needs node and `npm ci` in tests/servers.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
data=${1:?usage: start-s3.sh DATA_DIR [BUCKET] [--verify SECRET_KEY]}
bucket=${2:-imu}
verify_secret=
if [ "${3:-}" = "--verify" ]; then
  verify_secret=${4:?--verify needs the secret key}
fi

if [ ! -d "$here/node_modules/s3rver" ]; then
  echo "start-s3.sh: run “npm ci” in $here first" >&2
  exit 77
fi
mkdir -p "$data"

free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

wait_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "start-s3.sh: nothing listens on port $1" >&2
  return 1
}

pids=
cleanup() {
  # Only the processes this script started.
  for pid in $pids; do
    kill "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 0' TERM INT

port=$(free_port)
# s3rver encrypts its ListObjectsV2 continuation tokens with DES, which
# OpenSSL 3 keeps in its legacy provider.
# s3rver-run.js is s3rver's own command line, surviving its abort race.
node --openssl-legacy-provider "$here/s3rver-run.js" -d "$data" -a 127.0.0.1 -p "$port" \
  --configure-bucket "$bucket" --silent &
pids="$!"
wait_port "$port"
endpoint_port=$port

if [ -n "$verify_secret" ]; then
  fifo=$(mktemp -u)
  mkfifo "$fifo"
  node "$here/s3-verify-proxy.mjs" --upstream "$port" --data "$data" --access-key S3RVER \
    --secret-key "$verify_secret" --port 0 --log "$data/proxy.log" >"$fifo" &
  pids="$pids $!"
  read -r line <"$fifo"
  rm -f "$fifo"
  endpoint_port=${line#PORT=}
fi

echo "S3_ENDPOINT=http://127.0.0.1:$endpoint_port"
echo "S3_PIDS=\"$pids\""
wait
