#!/usr/bin/env bash
# tests/fuzz.sh [SECONDS] — fuzz the parsers that read what an image's author controls (layer tars, manifests and
# configs, image references) with AFL++ through SharpFuzz, SECONDS in all (default 60) shared by the targets.
# First replays tests/fuzz-regressions/<target>/* (inputs that once crashed a parser). Any crash found now is kept
# under artifacts/fuzz/<target>/default/crashes and fails the script: add it to tests/fuzz-regressions/<target>/.
# Needs afl++ (scripts/deps.sh --ci) and installs the SharpFuzz instrumenter (a NuGet dotnet tool) under artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
total=${1:-60}
DOTNET=${DOTNET:-dotnet}
out=artifacts/fuzz
targets=(tar manifest reference)
per=$(( total / ${#targets[@]} )); [ "$per" -ge 5 ] || per=5

command -v afl-fuzz >/dev/null || { echo "fuzz: afl-fuzz is missing: apt-get install afl++ (scripts/deps.sh --ci does)" >&2; exit 1; }
[ -x artifacts/tools/sharpfuzz ] || "$DOTNET" tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path artifacts/tools >/dev/null

rm -rf "$out"; mkdir -p "$out"
"$DOTNET" build tests/MiniRun.Fuzz -c Release -o "$out/bin" -p:TreatWarningsAsErrors=true >"$out/build.log" 2>&1 || { tail -20 "$out/build.log" >&2; exit 1; }
# The regressions are replayed by an uninstrumented copy: instrumented code writes to AFL's shared memory, which only
# exists under afl-fuzz (outside it, every input "crashes" with an access violation).
cp -a "$out/bin" "$out/replay"
# Coverage feedback: SharpFuzz rewrites the library's IL to report branches to AFL's shared memory.
artifacts/tools/sharpfuzz "$out/bin/MiniRun.Core.dll" >/dev/null

# Seeds: one small valid input per target, made here so nothing binary is committed.
mkdir -p "$out/seeds/tar" "$out/seeds/manifest" "$out/seeds/reference" "$out/seedtree/etc"
echo "root:x:0:0:root:/root:/bin/sh" > "$out/seedtree/etc/passwd"; ln -sf passwd "$out/seedtree/etc/link"
tar -C "$out/seedtree" -cf "$out/seeds/tar/small.tar" .
printf '%s' '[{"Config":"blobs/sha256/aa","RepoTags":["a:b"],"Layers":["blobs/sha256/bb"]}]' > "$out/seeds/manifest/docker.json"
printf '%s' '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"]},"config":{"Env":["A=b"],"Cmd":["sh"]}}' > "$out/seeds/manifest/config.json"
printf '%s' 'docker.io/library/alpine:3.19' > "$out/seeds/reference/full"
printf '%s' 'localhost:5000/a/b@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' > "$out/seeds/reference/digest"

status=0
for target in "${targets[@]}"; do
    regressions=(tests/fuzz-regressions/"$target"/*)
    if [ -e "${regressions[0]}" ]; then "$out/replay/MiniRun.Fuzz" "$target" --replay "${regressions[@]}"; fi
    # The harness is a .NET program: no AFL signature in the binary, a slow start, no core dumps wanted.
    AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 \
    AFL_FORKSRV_INIT_TMOUT=60000 \
        timeout $(( per + 60 )) afl-fuzz -V "$per" -t 5000 -m none -i "$out/seeds/$target" -o "$out/$target" \
        -- "$out/bin/MiniRun.Fuzz" "$target" >"$out/$target.log" 2>&1 || true
    stats="$out/$target/default/fuzzer_stats"
    [ -f "$stats" ] || { echo "fuzz: $target: afl-fuzz did not run (see $out/$target.log)" >&2; tail -5 "$out/$target.log" >&2; status=1; continue; }
    execs=$(awk -F: '/^execs_done/ {gsub(/ /,"",$2); print $2}' "$stats")
    paths=$(awk -F: '/^corpus_count/ {gsub(/ /,"",$2); print $2}' "$stats")
    crashes=$(find "$out/$target/default/crashes" -type f ! -name README.txt | wc -l)
    echo "fuzz: $target: ${per}s, $execs executions, $paths inputs in the corpus, $crashes crashes"
    [ "$crashes" -eq 0 ] || status=1
done
exit $status
