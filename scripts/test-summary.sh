#!/usr/bin/env bash
# scripts/test-summary.sh LOG — the end of `make test`: how many tests were skipped for each reason
# (xunit says why only in the middle of the log), which tests failed and why (CI may show only the
# tail), then one plain line, "N passed, N failed, N skipped", that any CI can read. Exits 1 when LOG has no test summary (the build failed).
set -euo pipefail
log=$1

# xunit prints each skipped test as "[xUnit.net …]     Name [SKIP]" and its reason on the next line.
awk '
    skip { sub(/^\[xUnit\.net [^]]*\] */, ""); n[$0]++; skip = 0; next }
    /^\[xUnit\.net [^]]*\] .* \[SKIP\]$/ { skip = 1 }
    END { for (r in n) printf "skipped %d: %s\n", n[r], r }' "$log" | sort -k2,2nr

# Each failed test, so that the tail of a CI log says which one and why: VSTest (normal verbosity) prints
# "  Failed Name [time]", then "  Error Message:" (first line indented, the rest not) and "  Stack Trace:".
# Shown: the name, at most 4 lines of the message, the first stack frame with a source line and, when that
# is a helper's, the first in the test's own class; at most 7 tests (~50 lines), the rest counted.
# A crashed test host is told too, with the test it was running: it leaves no "Failed" line.
awk -v max_tests=7 -v max_message=4 -v width=200 '
    function show(text) { sub(/ +$/, "", text); if (length(text) > width) text = substr(text, 1, width - 3) "..."; print "    " text }
    function frame(text) { sub(/^ +/, "", text); sub(/ in .*\/(tests|src)\//, " in ", text); show(text); frames++ }
    /^\[xUnit\.net / { next }    # xunit'"'"'s own progress lines may land inside a block
    /^The active test run was aborted/ { aborted = aborted $0 "\n"; next }
    /^The test running when the crash occurred:/ { crashed = 1; sub(/ +$/, ""); aborted = aborted $0 "\n"; next }
    crashed && !/^ *$/ { crashed = 0; sub(/^ +/, ""); aborted = aborted "    " $0 "\n"; next }
    /^  Failed / {
        n++; part = ""; lines = 0; frames = 0
        name = substr($0, 10); sub(/ \[[^]]*\]$/, "", name); sub(/\(.*$/, "", name)
        class = name; sub(/\.[^.]*$/, "", class)
        if (n <= max_tests) print "failed: " substr($0, 10)
        next
    }
    /^  (Passed|Skipped) / || /^  Standard (Output|Error) Messages:$/ || /^(Test Run |Total tests:|Results File:|Failed!|Passed!)/ { part = ""; next }
    /^  Error Message:$/ { part = "message"; next }
    /^  Stack Trace:$/   { part = "stack"; next }
    n > max_tests || part == "" { next }
    part == "message" && lines < max_message && $0 !~ /^ *$/ { sub(/^   /, ""); show($0); lines++ }
    part == "stack" && frames < 2 && / in .*:line [0-9]+$/ {
        own = index($0, "at " class ".") > 0
        if (frames == 0) { frame($0); if (own) frames = 2 }
        else if (own) frame($0)
    }
    END {
        if (n > max_tests) printf "... and %d more failed tests (all in the log: grep -A12 \"^  Failed \")\n", n - max_tests
        printf "%s", aborted
    }' "$log"

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
    /^Total tests: /           { seen = 1 }    # "Unknown" when the test host crashed
    /^ *Passed: *[0-9]+$/      { p += $2 }
    /^ *Failed: *[0-9]+$/      { f += $2 }
    /^ *Skipped: *[0-9]+$/     { s += $2 }
    END {
        if (!seen) { print "test: no test summary found (did the build fail?)" > "/dev/stderr"; exit 1 }
        printf "%d passed, %d failed, %d skipped\n", p, f, s
    }' "$log"
