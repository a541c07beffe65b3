#!/usr/bin/env bash
# images/minibox/build.sh OUT.tar — build the bundled default image, `minibox:latest`.
#
# What an image is, with nothing but coreutils and tar:
#   1. a root filesystem, packed as a tar: that is a LAYER (here a single one);
#   2. a CONFIG (JSON): how to run it (Env, Cmd, WorkingDir) and the list of its
#      layers' DiffIDs, i.e. the sha256 of each uncompressed layer tar;
#   3. a MANIFEST that ties a name (RepoTags) to the config and the layer files.
# Files are named after their sha256, so anyone can check what they got.
# The result is a `docker save` tar in Docker's classic (<= 24) layout:
#   manifest.json
#   <config sha256>.json
#   <layer sha256>/layer.tar
# It loads with `minirun load -i OUT.tar` and with `docker load -i OUT.tar`.
set -euo pipefail

die() { echo "build.sh: $*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: images/minibox/build.sh OUT.tar"

out=$1
here=$(cd "$(dirname "$0")" && pwd)
generator="$here/../../rootfs-fixtures/busybox-rootfs.sh"
name=${IMAGE_NAME:-minibox:latest}
created=1970-01-01T00:00:00Z   # fixed, so the same inputs always give the same image ID

# The OCI platform name of this machine's CPU.
case "$(uname -m)" in
    x86_64) arch=amd64 ;;
    aarch64|arm64) arch=arm64 ;;
    *) die "unsupported CPU $(uname -m)" ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. The root filesystem, from the same generator the tests use.
"$generator" "$work/rootfs"

# 2. The layer: a deterministic tar (sorted names, fixed times, numeric owners).
#    As non-root the files are ours, not root's: record them as root anyway.
owners=(--numeric-owner)
[ "$(id -u)" -eq 0 ] || owners=(--owner=0 --group=0 --numeric-owner)
mkdir "$work/image"
tar --format=gnu --sort=name --mtime=@0 "${owners[@]}" -C "$work/rootfs" -cf "$work/layer.tar" .
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)   # the DiffID: sha256 of the uncompressed tar
mkdir "$work/image/$diff_id"
mv "$work/layer.tar" "$work/image/$diff_id/layer.tar"

# 3. The config. Its own sha256 is the image ID (what `docker images` shows, cut to 12).
cat > "$work/config.json" <<EOF
{
  "architecture": "$arch",
  "os": "linux",
  "created": "$created",
  "config": {
    "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    "Cmd": ["sh"],
    "WorkingDir": "/"
  },
  "rootfs": {
    "type": "layers",
    "diff_ids": ["sha256:$diff_id"]
  },
  "history": [
    {"created": "$created", "created_by": "images/minibox/build.sh: busybox-static and a few /etc files"}
  ]
}
EOF
config_id=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/image/$config_id.json"

# 4. The manifest: one entry per image in the tar; Layers are listed bottom first.
cat > "$work/image/manifest.json" <<EOF
[{"Config":"$config_id.json","RepoTags":["$name"],"Layers":["$diff_id/layer.tar"]}]
EOF

# 5. Pack it all, names without a "./" prefix as `docker save` writes them.
#    Nothing is compressed: the layer inside is already a plain tar.
mkdir -p "$(dirname "$out")"
tar --format=gnu --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
    -C "$work/image" -cf "$out.tmp" manifest.json "$config_id.json" "$diff_id"
mv "$out.tmp" "$out"
echo "built $name: image ID sha256:$config_id, layer sha256:$diff_id -> $out"
