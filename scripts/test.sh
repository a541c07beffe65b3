#!/usr/bin/env bash
# scripts/test.sh [dotnet test args...] — run every test against the built binary and end
# with one plain line, "N passed, N failed, N skipped", that any CI can read.
set -euo pipefail
cd "$(dirname "$0")/.."

export MINIRUN_BIN=${MINIRUN_BIN:-$PWD/artifacts/minirun}
# No bridge on this machine's own network: the networking tests make theirs in namespaces of their own.
export MINIRUN_NETWORK=${MINIRUN_NETWORK:-host}
[ -x "$MINIRUN_BIN" ] || { echo "test: $MINIRUN_BIN is missing: run make first" >&2; exit 1; }
dotnet=${DOTNET:-dotnet}

mkdir -p artifacts
log=artifacts/test.log
status=0
"$dotnet" test MiniRun.sln --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log" || status=$?

scripts/test-summary.sh "$log" || { [ "$status" -ne 0 ] || status=1; }
exit "$status"
