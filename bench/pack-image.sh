#!/usr/bin/env bash
# bench/pack-image.sh FORMAT OUT NAME:TAG LAYER.tar... — packs plain layer tars (bottom first) as an image.
#
#   FORMAT docker  OUT is a classic `docker save` tar: manifest.json, <config>.json, <diffid>/layer.tar
#   FORMAT oci     OUT is an OCI image layout directory with gzip layers, its manifest named NAME:TAG
#                  (org.opencontainers.image.ref.name = TAG, which is what `umoci unpack --image OUT:TAG` wants)
#
# The benchmark's inputs are made with nothing but coreutils, gzip and tar, so anyone can check them.
set -euo pipefail

die() { echo "pack-image.sh: $*" >&2; exit 1; }
[ $# -ge 4 ] || die "usage: bench/pack-image.sh docker|oci OUT NAME:TAG LAYER.tar..."
format=$1 out=$2 name=$3
shift 3
tag=${name##*:}
created=1970-01-01T00:00:00Z   # fixed, so the same layers always give the same image ID

case "$(uname -m)" in
    x86_64) arch=amd64 ;;
    aarch64|arm64) arch=arm64 ;;
    *) die "unsupported CPU $(uname -m)" ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/pack-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/image"

# DiffIDs: the sha256 of each uncompressed layer tar, bottom first.
diff_ids=() history=()
for layer in "$@"; do
    diff_ids+=("\"sha256:$(sha256sum "$layer" | cut -d' ' -f1)\"")
    history+=("{\"created\":\"$created\",\"created_by\":\"bench/pack-image.sh $(basename "$layer")\"}")
done
join() { local IFS=,; echo "$*"; }

config="{\"architecture\":\"$arch\",\"os\":\"linux\",\"created\":\"$created\",
\"config\":{\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"],\"Cmd\":[\"sh\"],\"WorkingDir\":\"/\"},
\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[$(join "${diff_ids[@]}")]},\"history\":[$(join "${history[@]}")]}"
printf '%s' "$config" > "$work/config.json"
config_id=$(sha256sum "$work/config.json" | cut -d' ' -f1)

case "$format" in
docker)
    entries=()
    for layer in "$@"; do
        id=$(sha256sum "$layer" | cut -d' ' -f1)
        mkdir -p "$work/image/$id"
        cp "$layer" "$work/image/$id/layer.tar"
        entries+=("\"$id/layer.tar\"")
    done
    mv "$work/config.json" "$work/image/$config_id.json"
    printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":[%s]}]' "$config_id" "$name" "$(join "${entries[@]}")" \
        > "$work/image/manifest.json"
    # Plain, deterministic tar like `docker save` writes (the layers inside are plain tars already).
    (cd "$work/image" && ls -A) | sort > "$work/members"
    tar --format=gnu --mtime=@0 --owner=0 --group=0 --numeric-owner \
        -C "$work/image" -cf "$out.tmp" -T "$work/members"
    mv "$out.tmp" "$out"
    ;;
oci)
    blobs="$work/image/blobs/sha256"
    mkdir -p "$blobs"
    descriptors=()
    for layer in "$@"; do
        gzip -n -c "$layer" > "$work/layer.gz"   # -n: no name or time in the header, reproducible
        id=$(sha256sum "$work/layer.gz" | cut -d' ' -f1)
        size=$(stat -c %s "$work/layer.gz")
        mv "$work/layer.gz" "$blobs/$id"
        descriptors+=("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$id\",\"size\":$size}")
    done
    mv "$work/config.json" "$blobs/$config_id"
    manifest="{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",
\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:$config_id\",\"size\":$(stat -c %s "$blobs/$config_id")},
\"layers\":[$(join "${descriptors[@]}")]}"
    printf '%s' "$manifest" > "$work/manifest.json"
    manifest_id=$(sha256sum "$work/manifest.json" | cut -d' ' -f1)
    manifest_size=$(stat -c %s "$work/manifest.json")
    mv "$work/manifest.json" "$blobs/$manifest_id"
    printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' \
        "$manifest_id" "$manifest_size" "$tag" > "$work/image/index.json"
    printf '{"imageLayoutVersion":"1.0.0"}' > "$work/image/oci-layout"
    rm -rf "$out"
    mv "$work/image" "$out"
    ;;
*) die "unknown format $format (docker or oci)" ;;
esac
