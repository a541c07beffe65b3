#!/usr/bin/env bash
# bench/lifecycle.sh ID BUNDLE RUNTIME [GLOBAL-FLAGS...] — one container's life as an engine's shim drives it:
# `create` (the runtime exits, the process parked), `start`, wait until the process is gone, `delete`.
# The wait reads /proc, not the runtime's `state`: a poll through the runtime would charge each peer its own start-up
# cost once per poll, and how many polls fit is luck. A zombie counts as gone (pid 1 reaps it; the runtimes do too).
set -euo pipefail

id=$1 bundle=$2
shift 2
"$@" create --bundle "$bundle" --pid-file "$bundle/$id.pid" "$id"
"$@" start "$id"
pid=$(<"$bundle/$id.pid")
while read -r stat 2>/dev/null <"/proc/$pid/stat"; do
    stat=${stat##*) }
    [ "${stat%% *}" = Z ] && break
done
"$@" delete "$id"
