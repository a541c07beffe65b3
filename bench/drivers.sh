#!/usr/bin/env bash
# bench/drivers.sh BIN IMAGE.tar REF SCRATCH OUT.json ROUNDS — the storage drivers side by side: overlay, vfs and btrfs,
# each with a store of its own holding IMAGE.tar (a docker-save tar of the image REF), every container --network none.
#
#   run     hyperfine -N median of `run --rm --network none REF true`, per round
#   ten     wall time of 10 `run -d --network none REF sleep 3600` (create + start), median over rounds
#   disk    the store's growth per container over those 10 (du -sx of the store, containers' dirs and the driver's trees
#           alike); for btrfs also `btrfs filesystem du` of the store: exclusive and set shared, whose sum is what the
#           file system really holds (plain du counts each snapshot's shared extents in full), its growth per container
#
# overlay and vfs stores live under SCRATCH (the bench's tmpfs); btrfs needs its store on btrfs: a file system the
# bench makes on a sparse file under SCRATCH (mkfs.btrfs, mount -o loop) and removes after, nothing of the machine's
# disks. A driver this minirun lacks, or a machine without btrfs, is named in one line and left out.
# Writes OUT.json: {"drivers": [{"driver", "run_ms", "ten_ms", "du_bytes" (per container), "real_bytes" (btrfs: per
# container, exclusive + set shared), "exclusive_bytes", "shared_bytes" (btrfs: the store's, with the 10 containers),
# "image_bytes" (the store before them)}], "notes": [...]}.
set -euo pipefail

bin=$1 image=$2 ref=$3 scratch=$4 out=$5 rounds=${6:-3}
runs=$((rounds > 1 ? 8 : 3))
loop_mnt=$scratch/btrfs-mnt loop_file=$scratch/btrfs.img
notes=() rows=()
note() { echo "drivers: $1"; notes+=("$1"); }

ids=()
remove_containers() {
    [ ${#ids[@]} -eq 0 ] || "$bin" --root "$1" rm -f "${ids[@]}" >/dev/null 2>&1 || true
    ids=()
}
drop_btrfs() {
    mountpoint -q "$loop_mnt" 2>/dev/null || { rm -f "$loop_file"; return 0; }
    "$bin" --root "$loop_mnt/store" rm -f $("$bin" --root "$loop_mnt/store" ps -aq 2>/dev/null) >/dev/null 2>&1 || true
    umount "$loop_mnt" || umount -l "$loop_mnt"
    rmdir "$loop_mnt" 2>/dev/null || true
    rm -f "$loop_file"
}
current_store=
cleanup() {
    [ -z "$current_store" ] || remove_containers "$current_store"
    drop_btrfs
}
trap cleanup EXIT

# -x keeps du out of the overlay mounts of running containers; btrfs needs no -x (its subvolumes are devices of their own,
# which -x would skip) and has no mounts to stray into.
bytes() { if [ "$1" = btrfs ]; then du -s --block-size=1 "$2"; else du -sx --block-size=1 "$2"; fi | cut -f1; }
# `btrfs filesystem du -s --raw DIR`: Total, Exclusive, Set shared (bytes).
btrfs_du() { btrfs filesystem du -s --raw "$1" | awk 'NR == 2 {print $2, $3}'; }

measure() {
    local driver=$1 store=$2 round start end ex0=0 sh0=0 ex1=0 sh1=0 du0 du1 ten=()
    current_store=$store
    if ! err=$("$bin" --root "$store" --storage-driver "$driver" load -i "$image" 2>&1); then
        note "$driver left out: its load failed: $(echo "$err" | grep . | tail -1)"
        return
    fi
    if ! err=$("$bin" --root "$store" run --rm --network none $ref true 2>&1); then
        note "$driver left out: run failed: $(echo "$err" | grep . | tail -1)"
        return
    fi
    sync
    du0=$(bytes "$driver" "$store")
    [ "$driver" != btrfs ] || read -r ex0 sh0 < <(btrfs_du "$store")
    for round in $(seq "$rounds"); do
        start=$(date +%s%N)
        for i in $(seq 10); do ids+=("$("$bin" --root "$store" run -d --network none $ref sleep 3600)"); done
        end=$(date +%s%N)
        ten+=($(((end - start) / 1000)))
        if [ "$round" = 1 ]; then
            sync
            du1=$(bytes "$driver" "$store")
            [ "$driver" != btrfs ] || read -r ex1 sh1 < <(btrfs_du "$store")
        fi
        remove_containers "$store"
        hyperfine -N --style basic --warmup 1 --runs "$runs" --export-json "$scratch/drivers-$driver.$round.json" \
            -n "$driver" "$bin --root $store run --rm --network none $ref true" >/dev/null
    done
    local run_ms ten_ms
    run_ms=$(jq -s '[map(.results[0].times[]) | sort | .[length / 2 | floor]][0] * 1000' "$scratch"/drivers-"$driver".*.json)
    ten_ms=$(printf '%s\n' "${ten[@]}" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)] / 1000}')
    rows+=("$(jq -n --arg d "$driver" --argjson run "$run_ms" --argjson ten "$ten_ms" --argjson du "$(((du1 - du0) / 10))" \
        --argjson real "$(((ex1 + sh1 - ex0 - sh0) / 10))" --argjson ex "$ex1" --argjson sh "$sh1" --argjson img "$du0" \
        '{driver: $d, run_ms: $run, ten_ms: $ten, du_bytes: $du, real_bytes: $real, exclusive_bytes: $ex, shared_bytes: $sh,
          image_bytes: $img}')")
    printf 'drivers: %-7s run --rm %6.1f ms, 10 × run -d %7.1f ms, per container %s (du)\n' "$driver" "$run_ms" "$ten_ms" \
        "$(numfmt --to=iec $(((du1 - du0) / 10)))"
    current_store=
    # btrfs's layers are read-only subvolumes, which rm cannot empty: its store goes with its file system.
    [ "$driver" = btrfs ] || rm -rf "$store"
}

echo "== drivers: overlay, vfs, btrfs ($rounds rounds; 10 containers each, --network none)"
measure overlay "$scratch/drivers-overlay"
if "$bin" --root "$scratch/drivers-probe" --storage-driver vfs info >/dev/null 2>&1; then
    measure vfs "$scratch/drivers-vfs"
else
    note "vfs left out: this minirun has no vfs driver"
fi
rm -rf "$scratch/drivers-probe"

# btrfs: the driver first (a minirun without it says so), then the tools and the kernel's btrfs.
probe=$("$bin" --root "$scratch/drivers-probe" --storage-driver btrfs info 2>&1 >/dev/null || true)
rm -rf "$scratch/drivers-probe"
if grep -q "unknown storage driver" <<<"$probe"; then
    note "btrfs left out: this minirun has no btrfs driver yet ($(echo "$probe" | grep . | tail -1))"
elif ! command -v mkfs.btrfs >/dev/null; then
    note "btrfs left out: mkfs.btrfs missing (apt-get install btrfs-progs)"
elif ! grep -qw btrfs /proc/filesystems && ! modprobe btrfs 2>/dev/null; then
    note "btrfs left out: this kernel has no btrfs"
else
    truncate -s 4G "$loop_file"
    mkfs.btrfs -q "$loop_file" >/dev/null
    mkdir -p "$loop_mnt"
    mount -o loop "$loop_file" "$loop_mnt"
    measure btrfs "$loop_mnt/store"
    drop_btrfs
fi

if [ ${#rows[@]} -gt 0 ]; then printf '%s\n' "${rows[@]}"; fi | jq -s --args '{drivers: ., notes: $ARGS.positional}' "${notes[@]}" >"$out"
