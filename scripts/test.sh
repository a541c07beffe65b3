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

# This machine's network as the tests find it: links, routes, firewall rules and chains. The suite must leave it so
# (the networking tests work in namespaces of their own); a difference fails the run, named before the last line.
host_network() {
    ip -o link show 2>/dev/null | awk -F': ' '{print "link " $2}' | sed 's/@.*//'
    ip route show 2>/dev/null | sed 's/^/route /'
    if command -v iptables-save >/dev/null; then iptables-save 2>/dev/null | { grep -E '^(-A|:[A-Z]+-)' || true; } | sed 's/ \[[0-9]*:[0-9]*\]$//; s/^/iptables /'; fi
    return 0
}

# The rootless tests run minirun as ordinary users, made here since CI starts on a fresh machine.
scripts/rootless-users.sh

mkdir -p artifacts
log=artifacts/test.log
status=0
network_before=$(host_network | sort)
"$dotnet" test MiniRun.sln --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log" || status=$?
network_after=$(host_network | sort)
if [ "$network_before" != "$network_after" ]; then
    echo "test: the tests changed this machine's network (- before, + after):"
    diff <(echo "$network_before") <(echo "$network_after") | grep '^[<>]' | sed 's/^</-/; s/^>/+/' | head -20
    status=1
fi

scripts/test-summary.sh "$log" || { [ "$status" -ne 0 ] || status=1; }
exit "$status"
