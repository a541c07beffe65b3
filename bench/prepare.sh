#!/usr/bin/env bash
# bench/prepare.sh — makes the benchmark's inputs under bench/out/inputs/ (cached: existing files are kept).
#
#   minibox-rootfs/      the minibox image's root filesystem, for runc and bwrap (they take a directory)
#   runc-bundle/         config.json for `runc run` of that root filesystem, running `true`
#   oci-bundle/          config.json from `minirun runtime spec`, running `true`: the one bundle minirun-runtime, runc
#                        and crun all get in the lifecycle bench (made again whenever artifacts/minirun is newer)
#   deep.tar             a docker-save image of 128 layers: minibox, then 127 layers of one small file each
#   debian-minbase.tar   `mmdebstrap --variant=minbase` of this machine's Debian release (skipped when BENCH_QUICK=1)
#   debian-oci/          that root filesystem as an OCI layout with one gzip layer (umoci and minirun load it)
#   debian-docker.tar    the same as a classic docker-save tar (plain layer)
#   debian-layer.tar.gz  the OCI layout's layer blob itself, for `tar -xzf`
#
# Run from the repository root after `make build image`; needs root (mmdebstrap, device nodes in rootfs).
set -euo pipefail

out=bench/out/inputs
mkdir -p "$out"
minibox=artifacts/minibox.tar
[ -f "$minibox" ] || { echo "prepare.sh: $minibox is missing: make image" >&2; exit 1; }

# The minibox layer as a plain tar (a docker-save tar holds it as <diffid>/layer.tar).
if [ ! -f "$out/minibox-layer.tar" ] || [ "$minibox" -nt "$out/minibox-layer.tar" ]; then
    tar -xOf "$minibox" --wildcards '*/layer.tar' > "$out/minibox-layer.tar.tmp"
    mv "$out/minibox-layer.tar.tmp" "$out/minibox-layer.tar"
    rm -rf "$out/minibox-rootfs" "$out/deep.tar"
fi
if [ ! -d "$out/minibox-rootfs" ]; then
    mkdir "$out/minibox-rootfs.tmp"
    tar -xf "$out/minibox-layer.tar" -C "$out/minibox-rootfs.tmp"
    mv "$out/minibox-rootfs.tmp" "$out/minibox-rootfs"
fi

# runc's bundle: the default spec (its own namespaces, read-only root), no terminal, running `true`.
# The rootfs path is filled in by bench.sh, which copies the root filesystem to tmpfs.
if [ ! -f "$out/runc-bundle/config.json" ]; then
    mkdir -p "$out/runc-bundle"
    (cd "$out/runc-bundle" && runc spec)
    jq '.process.terminal = false | .process.args = ["true"]' "$out/runc-bundle/config.json" > "$out/runc-bundle/config.tmp"
    mv "$out/runc-bundle/config.tmp" "$out/runc-bundle/config.json"
fi

# The lifecycle bench's bundle: MiniRun's own spec (runc and crun take it as it is), the rootfs path filled in by bench.sh.
if [ ! -f "$out/oci-bundle/config.json" ] || [ artifacts/minirun -nt "$out/oci-bundle/config.json" ]; then
    rm -rf "$out/oci-bundle"
    mkdir -p "$out/oci-bundle"
    artifacts/minirun runtime spec --bundle "$out/oci-bundle"
    jq '.process.args = ["true"]' "$out/oci-bundle/config.json" > "$out/oci-bundle/config.tmp"
    mv "$out/oci-bundle/config.tmp" "$out/oci-bundle/config.json"
fi

# 128 layers: does the start time grow with depth? Each upper layer adds /layers/NNN (a few bytes).
if [ ! -f "$out/deep.tar" ]; then
    work=$(mktemp -d "$out/deep.XXXXXX")
    layers=("$out/minibox-layer.tar")
    for i in $(seq -w 2 128); do
        mkdir -p "$work/$i/layers"
        echo "layer $i" > "$work/$i/layers/$i"
        tar --format=gnu --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/$i" -cf "$work/$i.tar" layers
        layers+=("$work/$i.tar")
    done
    bench/pack-image.sh docker "$out/deep.tar" deep:latest "${layers[@]}"
    rm -rf "$work"
fi

[ "${BENCH_QUICK:-0}" = 1 ] && exit 0

# Debian minbase from the package mirror apt already uses on this machine (mmdebstrap's default otherwise).
if [ ! -f "$out/debian-minbase.tar" ]; then
    # shellcheck source=/dev/null
    suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-stable}")
    echo "prepare.sh: mmdebstrap --variant=minbase $suite (once; cached in $out)"
    mmdebstrap --variant=minbase --format=tar --quiet "$suite" "$out/debian-minbase.tmp.tar" </dev/null
    mv "$out/debian-minbase.tmp.tar" "$out/debian-minbase.tar"
    rm -rf "$out/debian-oci" "$out/debian-docker.tar"
fi
if [ ! -d "$out/debian-oci" ]; then
    bench/pack-image.sh oci "$out/debian-oci" debian:bench "$out/debian-minbase.tar"
    rm -f "$out/debian-layer.tar.gz"
fi
[ -f "$out/debian-docker.tar" ] || bench/pack-image.sh docker "$out/debian-docker.tar" debian:bench "$out/debian-minbase.tar"
if [ ! -f "$out/debian-layer.tar.gz" ]; then
    # The one layer blob of the OCI layout: the exact bytes minirun and umoci decompress.
    blob=$(jq -r '.layers[0].digest' "$out/debian-oci/blobs/sha256/$(jq -r '.manifests[0].digest' "$out/debian-oci/index.json" | cut -d: -f2)" | cut -d: -f2)
    cp "$out/debian-oci/blobs/sha256/$blob" "$out/debian-layer.tar.gz"
fi
