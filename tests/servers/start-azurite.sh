#!/bin/sh
# start-azurite.sh [PORT [LOCATION]] — runs Azurite's blob service on
# 127.0.0.1 for the sync tests and the benchmark.
#
# Prints one line, "PORT LOCATION", then becomes the Azurite process (so
# killing the pid the caller got kills Azurite). Without PORT it picks a
# free one; without LOCATION it makes a temporary folder (Azurite keeps
# deleted blobs on disk, so every run gets its own). Passing the PORT and
# LOCATION of a killed instance restarts it with the same data.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin="$here/node_modules/.bin/azurite-blob"
if [ ! -x "$bin" ]; then
  echo "start-azurite.sh: $bin is missing: run npm ci in $here (scripts/deps.sh does)" >&2
  exit 77
fi
port=${1:-}
location=${2:-}
if [ -z "$port" ]; then
  port=$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
fi
if [ -z "$location" ]; then
  location=$(mktemp -d "${TMPDIR:-/tmp}/imu-azurite-XXXXXX")
fi
echo "$port $location"
exec "$bin" --blobHost 127.0.0.1 --blobPort "$port" --location "$location" \
  --disableTelemetry --skipApiVersionCheck --loose --silent >"$location/azurite.log" 2>&1
