#!/usr/bin/env bash
# tests/soak.sh [COUNT] [PARALLEL] — runs COUNT containers one after another, then COUNT more PARALLEL at a time
# (defaults 1000 and 20), each `run --rm --network none`, in a store of its own; then checks that nothing is left
# behind: no mount under the store, no process whose root is in the store (so no network namespace either), no
# cgroup of any of the containers, no container, tmp/ or lock entry, the store's files as before, and a clean
# `system check`. Needs root and artifacts/minirun (make); uses artifacts/minibox.tar (make image).
# Not run by CI in full (it takes minutes); `tests/soak.sh 20 5` is a quick smoke.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000}
parallel=${2:-20}
bin=${MINIRUN_BIN:-$PWD/artifacts/minirun}
image=artifacts/minibox.tar
[ -f "$image" ] || make image >/dev/null
work=$(mktemp -d /tmp/minirun-soak.XXXXXX)
store=$work/store
trap 'for m in $(grep -o " $work[^ ]*" /proc/self/mounts | sort -r); do umount -l "$m" 2>/dev/null || true; done; rm -rf "$work"' EXIT
mr() { "$bin" --root "$store" "$@"; }

mr load -i "$image" >/dev/null
snapshot() { (cd "$store" && find layers l images repositories.json -printf '%p %y %m %s %l\n' | sort | sha256sum | cut -d' ' -f1); }
before=$(snapshot)

one() { "$bin" --root "$store" run --rm --network none minibox hostname || echo "soak: a run failed (exit $?)" >&2; }
export -f one; export bin store

start=$(date +%s.%N)
for _ in $(seq "$count"); do one; done >"$work/sequential.ids"
mid=$(date +%s.%N)
seq "$count" | xargs -P "$parallel" -I{} bash -c one >"$work/concurrent.ids"
end=$(date +%s.%N)

fail=0
problem() { echo "soak: LEFT BEHIND: $*"; fail=1; }
ids=$(sort -u "$work/sequential.ids" "$work/concurrent.ids" | wc -l)
[ "$ids" -eq $(( 2 * count )) ] || problem "$(( 2 * count - ids )) containers did not print their hostname (failed runs)"
mounts=$(grep -c " $store" /proc/self/mounts || true)
[ "$mounts" -eq 0 ] || problem "$mounts mounts under the store"
procs=0; netns=0
for p in /proc/[0-9]*; do
    root=$(readlink "$p/root" 2>/dev/null || true)
    case "$root" in "$store"/*) procs=$((procs + 1)) ;; esac
done
[ "$procs" -eq 0 ] || problem "$procs processes whose root is in the store (each holds its network namespace)"
cgroups=0
for dir in /sys/fs/cgroup/*/minirun /sys/fs/cgroup/minirun /sys/fs/cgroup/unified/minirun; do
    [ -d "$dir" ] || continue
    for cg in "$dir"/*/; do
        [ -d "$cg" ] || continue
        short=$(basename "$cg" | cut -c1-12)
        if grep -qx "$short" "$work/sequential.ids" "$work/concurrent.ids"; then cgroups=$((cgroups + 1)); fi
    done
done
[ "$cgroups" -eq 0 ] || problem "$cgroups cgroup directories of the soak's containers"
left=$(find "$store/containers" "$store/tmp" "$store/locks" -mindepth 1 ! -name .lock | wc -l)
[ "$left" -eq 0 ] || problem "$left entries in containers/, tmp/ or locks/"
[ "$(snapshot)" = "$before" ] || problem "the store's layers, links, images or names changed"
mr system check >"$work/check.txt" || problem "system check: $(cat "$work/check.txt")"

awk -v n="$count" -v p="$parallel" -v a="$start" -v b="$mid" -v c="$end" -v ids="$ids" 'BEGIN {
    printf "soak: %d sequential in %.1f s (%.1f/s), %d at %d-way in %.1f s (%.1f/s); %d distinct containers\n", n, b - a, n / (b - a), n, p, c - b, n / (c - b), ids }'
printf 'soak: left behind: %d mounts, %d processes/netns, %d cgroups, %d store entries; store unchanged: %s; check: %s\n' \
    "$mounts" "$procs" "$cgroups" "$left" "$([ "$(snapshot)" = "$before" ] && echo yes || echo NO)" "$(tail -1 "$work/check.txt")"
exit $fail
