#!/usr/bin/env bash
# scripts/test.sh [dotnet test args...] — run every test against the built binary and end
# with one plain line, "N passed, N failed, N skipped", that any CI can read.
set -euo pipefail
cd "$(dirname "$0")/.."

export MINIRUN_BIN=${MINIRUN_BIN:-$PWD/artifacts/minirun}
[ -x "$MINIRUN_BIN" ] || { echo "test: $MINIRUN_BIN is missing: run make first" >&2; exit 1; }
dotnet=${DOTNET:-dotnet}

mkdir -p artifacts
log=artifacts/test.log
status=0
"$dotnet" test MiniRun.sln --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log" || status=$?

# VSTest ends each test assembly with a summary, either on one line
# ("Failed!  - Failed: F, Passed: P, Skipped: S, Total: T") or, at normal verbosity, as lines
# ("Total tests: T", "Passed: P", "Failed: F", "Skipped: S"; zero counts left out). Add them up.
awk '
    /Failed: *[0-9]+, *Passed: *[0-9]+/ {
        for (i = 1; i <= NF; i++) {
            if ($i == "Failed:")  { f += $(i + 1) + 0 }
            if ($i == "Passed:")  { p += $(i + 1) + 0 }
            if ($i == "Skipped:") { s += $(i + 1) + 0 }
        }
        seen = 1; next
    }
    /^Total tests: *[0-9]+$/   { seen = 1 }
    /^ *Passed: *[0-9]+$/      { p += $2 }
    /^ *Failed: *[0-9]+$/      { f += $2 }
    /^ *Skipped: *[0-9]+$/     { s += $2 }
    END {
        if (!seen) { print "test: no test summary found (did the build fail?)" > "/dev/stderr"; exit 1 }
        printf "%d passed, %d failed, %d skipped\n", p, f, s
    }' "$log" || { [ "$status" -ne 0 ] || status=1; }
exit "$status"
