#!/usr/bin/env bash
# bench/bench.sh — `make bench`: minirun against its peers, each pair in the same hyperfine run, on tmpfs.
#
#   start   minirun run --rm minibox true   vs  runc run (ready bundle)  and  bwrap --unshare-all, same rootfs
#   depth   the 128-layer image vs the one-layer one
#   unpack  minirun load (OCI gzip, docker-save)  vs  tar -xzf, tar -x, umoci unpack
#   memory  peak RSS of minirun load (/usr/bin/time -v)
#   many    20 minirun run --rm at once, all must succeed
#
# Prints a table of medians and ratios and writes it, with the date and the machine, to bench/RESULTS.md.
# BENCH_QUICK=1 (`make bench-smoke`, for CI): minibox only, few runs, nothing written but bench/out/.
# Run from the repository root, as root, after `make build image`.
set -euo pipefail

quick=${BENCH_QUICK:-0}
bin=$PWD/artifacts/minirun
inputs=bench/out/inputs
tmp=bench/out/tmpfs
[ "$(id -u)" -eq 0 ] || { echo "bench.sh: containers need root: sudo make bench" >&2; exit 1; }

# Peers and tools from Debian, only when missing.
need=()
for pair in runc:runc bwrap:bubblewrap hyperfine:hyperfine umoci:umoci jq:jq /usr/bin/time:time; do
    command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
done
[ "$quick" = 1 ] || command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
if [ ${#need[@]} -gt 0 ]; then
    echo "bench.sh: installing ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

bench/prepare.sh

# Everything measured reads and writes tmpfs: the disk's noise must not hide the software's cost.
mkdir -p "$tmp"
mountpoint -q "$tmp" || mount -t tmpfs -o size=4g,mode=0755 bench-tmpfs "$tmp"
cleanup() { umount -l "$tmp" 2>/dev/null || true; }
trap cleanup EXIT
t=$(cd "$tmp" && pwd)
cp -a "$inputs/minibox-rootfs" "$inputs/deep.tar" "$t/"
cp -a "$inputs/runc-bundle" "$t/bundle"
jq --arg root "$t/minibox-rootfs" '.root.path = $root' "$inputs/runc-bundle/config.json" > "$t/bundle/config.json"
"$bin" --root "$t/root" load -i artifacts/minibox.tar >/dev/null
"$bin" --root "$t/root" load -i "$t/deep.tar" >/dev/null

if [ "$quick" = 1 ]; then rounds=1 runs=3 warmup=1 unpack_runs=2; else rounds=4 runs=10 warmup=3 unpack_runs=5; fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# In rounds: this machine's speed drifts within minutes, and a command measured only in a slow (or fast) stretch
# would skew its ratios. Each round measures every command; the medians are taken over all rounds' runs.
echo "== start (hyperfine -N, $rounds rounds of $runs runs each)"
for round in $(seq "$rounds"); do
    hyperfine -N --style basic --warmup "$warmup" --runs "$runs" --export-json "$t/start.$round.json" \
        -n minirun "$bin --root $t/root run --rm minibox true" \
        -n runc "runc --root $t/runc-state run --bundle $t/bundle bench-runc" \
        -n bwrap "bwrap --unshare-all --ro-bind $t/minibox-rootfs / --proc /proc --dev /dev true" \
        -n deep "$bin --root $t/root run --rm deep true"
done
jq -s '{results: [map(.results[]) | group_by(.command)[] | {command: .[0].command, times: (map(.times[]) | sort)}
        | .median = (.times | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end)]}' \
    "$t"/start.*.json > "$t/start.json"

# Unpack: the OCI gzip layout and the docker-save tar of Debian minbase (of minibox in the smoke run).
if [ "$quick" = 1 ]; then
    bench/pack-image.sh oci "$t/image-oci" image:bench "$inputs/minibox-layer.tar"
    cp artifacts/minibox.tar "$t/image-docker.tar"
    cp "$inputs/minibox-layer.tar" "$t/image.tar"
else
    cp -a "$inputs/debian-oci" "$t/image-oci"
    cp "$inputs/debian-docker.tar" "$t/image-docker.tar"
    cp "$inputs/debian-minbase.tar" "$t/image.tar"
fi
blob=$(jq -r '.layers[0].digest' "$t/image-oci/blobs/sha256/$(jq -r '.manifests[0].digest' "$t/image-oci/index.json" | cut -d: -f2)" | cut -d: -f2)
cp "$t/image-oci/blobs/sha256/$blob" "$t/image.tar.gz"

echo "== unpack (hyperfine, $unpack_runs runs each; the previous result is deleted untimed)"
hyperfine --style basic --runs "$unpack_runs" --export-json "$t/unpack.json" \
    --prepare "rm -rf $t/x $t/load $t/umoci; mkdir $t/x; sync" \
    -n "tar -xzf" "tar -xzf $t/image.tar.gz -C $t/x" \
    -n "tar -x" "tar -xf $t/image.tar -C $t/x" \
    -n "load oci" "$bin --root $t/load load -i $t/image-oci --tag bench:oci" \
    -n "load docker" "$bin --root $t/load load -i $t/image-docker.tar" \
    -n "umoci unpack" "umoci unpack --image $t/image-oci:bench $t/umoci"

echo "== memory (peak RSS of minirun load of the OCI gzip image)"
rm -rf "$t/load"
rss_kb=$(/usr/bin/time -v "$bin" --root "$t/load" load -i "$t/image-oci" --tag bench:oci 2>&1 >/dev/null |
    awk -F': ' '/Maximum resident set size/ {print $2}')

echo "== concurrency (20 minirun run --rm at once)"
pids=()
for i in $(seq 20); do
    "$bin" --root "$t/root" run --rm minibox true >"$t/many.$i.log" 2>&1 & pids+=($!)
done
ok=0
for pid in "${pids[@]}"; do wait "$pid" && ok=$((ok + 1)); done
[ "$ok" -eq 20 ] || { echo "concurrency: only $ok of 20 succeeded:" >&2; cat "$t"/many.*.log >&2; }
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

bench/report.sh "$t/start.json" "$t/unpack.json" "$rss_kb" "$ok" "$load_before" "$load_after" > "$t/report.md"
cat "$t/report.md"
if [ "$quick" != 1 ]; then
    cp "$t/report.md" bench/RESULTS.md
    echo "written to bench/RESULTS.md"
fi
[ "$ok" -eq 20 ]
