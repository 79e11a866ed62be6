#!/bin/sh
# test-sync-offline.sh TEST-PROGRAM [ARGS…] — runs the offline sync test in
# a network namespace of its own with only loopback up (GNetworkMonitor
# then reports no network, while servers on 127.0.0.1 still answer). Skips
# (TAP "1..0 # SKIP") where unprivileged namespaces are not permitted.
prog=$1
shift
if ! unshare -n true 2>/dev/null; then
  echo "1..0 # SKIP unshare -n is not permitted here: the offline sync test needs its own network namespace"
  exit 0
fi
exec unshare -n sh -c 'ip link set lo up 2>/dev/null || exit 99; exec "$0" "$@"' "$prog" "$@"
