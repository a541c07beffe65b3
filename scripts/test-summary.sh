#!/usr/bin/env bash
# scripts/test-summary.sh LOG — the end of `make test`: how many tests were skipped for each reason
# (xunit says why only in the middle of the log), then one plain line, "N passed, N failed, N skipped",
# that any CI can read. Exits 1 when LOG has no test summary (the build failed).
set -euo pipefail
log=$1

# xunit prints each skipped test as "[xUnit.net …]     Name [SKIP]" and its reason on the next line.
awk '
    skip { sub(/^\[xUnit\.net [^]]*\] */, ""); n[$0]++; skip = 0; next }
    /^\[xUnit\.net [^]]*\] .* \[SKIP\]$/ { skip = 1 }
    END { for (r in n) printf "skipped %d: %s\n", n[r], r }' "$log" | sort -k2,2nr

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
    }' "$log"
