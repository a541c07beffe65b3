#!/usr/bin/env bash
# bench/bench.sh — `make bench`: minirun against its peers, each pair in the same hyperfine run, on tmpfs.
#
#   start   minirun run --rm --network host minibox true   vs  runc run (ready bundle)  and  bwrap --unshare-all, same rootfs
#   depth   the 128-layer image vs the one-layer one
#   unpack  minirun load (OCI gzip, docker-save)  vs  tar -xzf, tar -x, umoci unpack
#   memory  peak RSS of minirun load (/usr/bin/time -v)
#   many    20 minirun run --rm at once, all must succeed
#   life    one OCI bundle, create + start + wait + delete (bench/lifecycle.sh)  vs  runc and crun, the same config.json
#   docker  docker run --rm --runtime minirun  vs  --runtime runc, in a private dockerd the bench starts and removes
#   bridge  minirun run --rm --network bridge  vs  podman run --rm --runtime runc on its default bridge, and vs
#           --network none (the CNI plugins' cost), all in one network namespace the bench makes and drops (bench/netns.sh)
#   rootless  minirun run --rm --network none as an ordinary user (minirun-rootless, subordinate IDs)  vs  root's, and vs
#           podman run --rm --runtime runc as that same user
#   drivers the storage drivers overlay, vfs and btrfs (bench/drivers.sh): run --rm, 10 containers created and started,
#           and the disk each container takes; btrfs on a loop-mounted file system the bench makes and removes
#
# Prints a table of medians and ratios and writes it, with the date and the machine, to bench/RESULTS.md.
# BENCH_QUICK=1 (`make bench-smoke`, for CI): minibox only, few runs, no dockerd, no podman, nothing written but bench/out/.
# Run from the repository root, as root, after `make build image`.
set -euo pipefail

quick=${BENCH_QUICK:-0}
bin=$PWD/artifacts/minirun
runtime=$PWD/artifacts/minirun-runtime   # the runtime entry: the binary started under this name
inputs=bench/out/inputs
tmp=bench/out/tmpfs
[ "$(id -u)" -eq 0 ] || { echo "bench.sh: containers need root: sudo make bench" >&2; exit 1; }

# Peers and tools from Debian, only when missing.
need=()
for pair in runc:runc crun:crun bwrap:bubblewrap hyperfine:hyperfine umoci:umoci jq:jq /usr/bin/time:time nsenter:util-linux \
    ip:iproute2 iptables:iptables; do
    command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
done
[ -x /usr/lib/cni/bridge ] || [ -x /opt/cni/bin/bridge ] || need+=(containernetworking-plugins)   # the bridge rows' plugins
[ "$quick" = 1 ] || command -v podman >/dev/null || need+=(podman)
[ "$quick" = 1 ] || command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
[ "$quick" = 1 ] || command -v dockerd >/dev/null || need+=(docker.io)
if [ ${#need[@]} -gt 0 ]; then
    echo "bench.sh: installing ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

bench/prepare.sh
[ -e "$runtime" ] || ln -s minirun "$runtime"

# Everything measured reads and writes tmpfs: the disk's noise must not hide the software's cost.
mkdir -p "$tmp"
mountpoint -q "$tmp" || mount -t tmpfs -o size=4g,mode=0755 bench-tmpfs "$tmp"
mount --make-private "$tmp"   # the mounts made under it (the pinned namespace, dockerd's) stay out of other namespaces
t=$(cd "$tmp" && pwd)
dockerd_pid= net_up=
# The bridge rows' sandbox: podman's containers removed, the namespaces unpinned (their devices and rules go with them),
# and the libpod_parent cgroups podman's cgroupfs manager made (conmon's) removed when this run made them.
drop_netns() {
    [ -n "$net_up" ] || return 0
    [ ! -f "$t/podman/containers.conf" ] || "${sandbox[@]}" podman rm --all --force >/dev/null 2>&1 || true
    bench/netns.sh down "$t/netns"
    for dir in /sys/fs/cgroup/libpod_parent /sys/fs/cgroup/*/libpod_parent; do
        [ -d "$dir" ] && ! grep -qxF "$dir" <<<"$libpod_before" || continue
        rmdir "$dir/conmon" 2>/dev/null || true
        rmdir "$dir" 2>/dev/null || echo "bridge: $dir is not empty, left in place" >&2
    done
    unset CONTAINERS_CONF CONTAINERS_STORAGE_CONF
    net_up=
}
# The rootless rows' scratch: the user's podman reset, minirun's pause process (the keeper of its user namespace) killed,
# then the tmpfs they worked on.
rootless_dir= as_user=()
drop_rootless() {
    [ -n "$rootless_dir" ] || return 0
    [ -z "$(command -v podman)" ] || "${as_user[@]}" podman system reset -f >/dev/null 2>&1 || true
    local pause
    for pause in "$rootless_dir"/data/minirun/rootless/pause.pid; do
        [ -f "$pause" ] && kill -KILL "$(cat "$pause")" 2>/dev/null || true
    done
    umount -l "$rootless_dir" 2>/dev/null || true
    rmdir "$rootless_dir" 2>/dev/null || true
    rootless_dir=
}
cleanup() {
    # A failed run must not leave containers, a daemon or a pinned namespace behind.
    for rt in "$runtime --root $t/life-minirun" "runc --root $t/life-runc" "crun --root $t/life-crun"; do
        for id in life-minirun life-minirun-v1 life-runc life-crun life-crun-nocg; do
            $rt delete --force "$id" >/dev/null 2>&1 || true
        done
    done
    [ -z "$dockerd_pid" ] || stop_dockerd
    drop_netns
    drop_rootless
    umount "$t/v1ns" 2>/dev/null || true
    umount -l "$tmp" 2>/dev/null || true
}
trap cleanup EXIT
cp -a "$inputs/minibox-rootfs" "$inputs/deep.tar" "$t/"
cp -a "$inputs/runc-bundle" "$t/bundle"
jq --arg root "$t/minibox-rootfs" '.root.path = $root' "$inputs/runc-bundle/config.json" > "$t/bundle/config.json"
"$bin" --root "$t/root" load -i artifacts/minibox.tar >/dev/null
"$bin" --root "$t/root" load -i "$t/deep.tar" >/dev/null

if [ "$quick" = 1 ]; then rounds=1 runs=3 warmup=1 unpack_runs=2; else rounds=4 runs=10 warmup=3 unpack_runs=5; fi
# merge_rounds OUT ROUND.json...: every command's times over all rounds, and their median.
merge_rounds() {
    local out=$1; shift
    jq -s '{results: [map(.results[]) | group_by(.command)[] | {command: .[0].command, times: (map(.times[]) | sort)}
            | .median = (.times | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end)]}' \
        "$@" > "$out"
}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# In rounds: this machine's speed drifts within minutes, and a command measured only in a slow (or fast) stretch
# would skew its ratios. Each round measures every command; the medians are taken over all rounds' runs.
# --network host named (the default so far): were the default a bridge, these rows would make one on the host's network.
echo "== start (hyperfine -N, $rounds rounds of $runs runs each)"
for round in $(seq "$rounds"); do
    hyperfine -N --style basic --warmup "$warmup" --runs "$runs" --export-json "$t/start.$round.json" \
        -n minirun "$bin --root $t/root run --rm --network host minibox true" \
        -n runc "runc --root $t/runc-state run --bundle $t/bundle bench-runc" \
        -n bwrap "bwrap --unshare-all --ro-bind $t/minibox-rootfs / --proc /proc --dev /dev true" \
        -n deep "$bin --root $t/root run --rm --network host deep true"
done
merge_rounds "$t/start.json" "$t"/start.*.json

# Lifecycle: one bundle as an engine's shim drives it (create, start, wait, delete), the same config.json for all three.
mkdir -p "$t/oci-bundle"
jq --arg root "$t/minibox-rootfs" '.root.path = $root' "$inputs/oci-bundle/config.json" > "$t/oci-bundle/config.json"
life=$PWD/bench/lifecycle.sh
# crun 1.8 refuses every container on a hybrid host whose cgroup2 mount holds a controller ("cgroups in hybrid mode not
# supported"), even with --cgroup-manager=disabled: the check comes before the manager. On such a host it runs in a mount
# namespace pinned by the bench in which that cgroup2 mount is unmounted, a cgroup-v1-only host as far as it can see, and
# minirun runs there too for the ratio against crun. runc and minirun, for theirs, see the real host.
crun_view=() crun_note=
life_cmds=(
    -n minirun "$life life-minirun $t/oci-bundle $runtime --root $t/life-minirun"
    -n runc "$life life-runc $t/oci-bundle runc --root $t/life-runc"
)
if [ "$(stat -fc %T /sys/fs/cgroup)" = tmpfs ] && [ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] &&
   grep -q . /sys/fs/cgroup/unified/cgroup.controllers; then
    touch "$t/v1ns"
    unshare --mount="$t/v1ns" --propagation private umount /sys/fs/cgroup/unified
    crun_view=(nsenter "--mount=$t/v1ns")
    crun_note="hybrid cgroups (cgroup2 holds $(tr '\n' ' ' </sys/fs/cgroup/unified/cgroup.controllers | sed 's/ $//')), which crun refuses even with its cgroup manager disabled: crun, and minirun against it, run in a mount namespace without the cgroup2 mount (cgroup v1 only)"
    echo "lifecycle: $crun_note"
    life_cmds+=(-n "minirun, crun's view" "${crun_view[*]} $life life-minirun-v1 $t/oci-bundle $runtime --root $t/life-minirun")
fi
life_cmds+=(
    -n crun "${crun_view[*]} $life life-crun $t/oci-bundle crun --root $t/life-crun"
    -n "crun, cgroups disabled" "${crun_view[*]} $life life-crun-nocg $t/oci-bundle crun --cgroup-manager=disabled --root $t/life-crun"
)
# A peer that cannot run this bundle is named in one line and left out, not the whole bench.
kept=()
for ((i = 0; i < ${#life_cmds[@]}; i += 3)); do
    name=${life_cmds[i + 1]} cmd=${life_cmds[i + 2]}
    # shellcheck disable=SC2086  # the command line is split as hyperfine -N splits it
    if err=$($cmd 2>&1); then kept+=(-n "$name" "$cmd"); else echo "lifecycle: $name left out: $(echo "$err" | tail -1)"; fi
done
echo "== lifecycle: create, start, wait, delete of one bundle (hyperfine -N, $rounds rounds of $runs runs each)"
for round in $(seq "$rounds"); do
    hyperfine -N --style basic --warmup "$warmup" --runs "$runs" --export-json "$t/life.$round.json" "${kept[@]}"
done
merge_rounds "$t/life.json" "$t"/life.*.json
[ ${#crun_view[@]} -eq 0 ] || umount "$t/v1ns"

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
    "$bin" --root "$t/root" run --rm --network host minibox true >"$t/many.$i.log" 2>&1 & pids+=($!)
done
ok=0
for pid in "${pids[@]}"; do wait "$pid" && ok=$((ok + 1)); done
[ "$ok" -eq 20 ] || { echo "concurrency: only $ok of 20 succeeded:" >&2; cat "$t"/many.*.log >&2; }

# Bridge: minirun and podman, each on its default bridge network, in one network and mount namespace of the bench's own
# (bench/netns.sh): their bridges, veths and iptables rules never reach the host's, and go with the namespace. hyperfine
# runs inside it, so no nsenter is timed. Podman (not in the smoke run) keeps its storage on the tmpfs, its run state,
# CNI caches and locks on the sandbox's tmpfs mounts; cgroupfs (no systemd here) and runc. Its containers get limits that
# only lower (nofile at this shell's hard limit, nproc 4096, as the engine tests ask): podman asks 1048576 of both, and
# raising a hard limit needs CAP_SYS_RESOURCE, which a sandbox may withhold (runc then fails the container).
echo "== bridge: minirun and podman on their default bridges, in a network namespace of the bench's own"
if [ "$quick" = 1 ]; then nrounds=1 nruns=3 nwarmup=1; else nrounds=3 nruns=5 nwarmup=2; fi
sandbox=(nsenter --net="$t/netns/net" --mount="$t/netns/mnt")
libpod_before=$(ls -d /sys/fs/cgroup/libpod_parent /sys/fs/cgroup/*/libpod_parent 2>/dev/null || true)
net_up=1 net_note= net_cmds=()
bench/netns.sh up "$t/netns"
# A command that fails once in the sandbox is named in one line and left out (minirun's bridge before it had one).
try_net() {
    local err
    # shellcheck disable=SC2086  # the command line is split as hyperfine -N splits it
    if err=$("${sandbox[@]}" $2 2>&1); then net_cmds+=(-n "$1" "$2"); return; fi
    echo "bridge: $1 left out: $(echo "$err" | grep . | tail -1)"
    net_note+="${net_note:+; }$1 left out: $(echo "$err" | grep . | tail -1)"
}
mrun="$bin --root $t/root run --rm"
try_net "minirun bridge" "$mrun --network bridge minibox true"
try_net "minirun none" "$mrun --network none minibox true"
if [ "$quick" != 1 ]; then
    mkdir -p "$t/podman/networks"
    nofile=$(ulimit -Hn)
    [ "$nofile" != unlimited ] || nofile=1048576
    cat >"$t/podman/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$t/podman/storage"
runroot = "/run/bench-podman"
CONF
    cat >"$t/podman/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=4096:4096"]
[network]
network_config_dir = "$t/podman/networks"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "/run/bench-podman-tmp"
CONF
    export CONTAINERS_CONF=$t/podman/containers.conf CONTAINERS_STORAGE_CONF=$t/podman/storage.conf
    if err=$("${sandbox[@]}" podman load -q -i "$PWD/artifacts/minibox.tar" 2>&1); then
        try_net "podman bridge" "podman run --rm --runtime runc --network bridge minibox true"
        try_net "podman none" "podman run --rm --runtime runc --network none minibox true"
        backend=$("${sandbox[@]}" podman info --format '{{.Host.NetworkBackend}}' 2>/dev/null || echo unknown)
        net_note="${net_note:+$net_note; }podman's network backend: $backend"
    else
        echo "bridge: podman left out: its load of minibox failed: $(echo "$err" | grep . | tail -1)"
        net_note="${net_note:+$net_note; }podman left out: its load of minibox failed: $(echo "$err" | grep . | tail -1)"
    fi
else
    net_note="${net_note:+$net_note; }podman not measured (the smoke run runs no podman)"
fi
if [ ${#net_cmds[@]} -gt 0 ]; then
    for round in $(seq "$nrounds"); do
        "${sandbox[@]}" hyperfine -N --style basic --warmup "$nwarmup" --runs "$nruns" --export-json "$t/net.$round.json" "${net_cmds[@]}"
    done
    merge_rounds "$t/net.json" "$t"/net.*.json
fi
drop_netns

# Docker: a private dockerd (its own data and exec roots, socket and containerd, no networking of its own) with minirun
# added as a runtime; the image is minibox. Not in the smoke run: a daemon takes seconds to start.
docker_note=
stop_dockerd() {
    kill -TERM "$dockerd_pid" 2>/dev/null || true
    for _ in $(seq 150); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$dockerd_pid" 2>/dev/null || true
    wait "$dockerd_pid" 2>/dev/null || true
    dockerd_pid=
}
if [ "$quick" != 1 ]; then
    drounds=3 druns=8
    d=$t/docker
    mkdir -p "$d"
    dockerd --data-root "$d/data" --exec-root "$d/exec" -H "unix://$d/docker.sock" --pidfile "$d/docker.pid" \
        --iptables=false --ip-masq=false --bridge=none --add-runtime "minirun=$runtime" >"$d/dockerd.log" 2>&1 &
    dockerd_pid=$!
    docker=(docker -H "unix://$d/docker.sock")
    for _ in $(seq 300); do "${docker[@]}" version >/dev/null 2>&1 && break; sleep 0.1; done
    if ! "${docker[@]}" load -q -i artifacts/minibox.tar >/dev/null; then
        docker_note="the private dockerd did not start or load minibox: $(grep . "$d/dockerd.log" | tail -1)"
        echo "$docker_note"
    else
        drun="${docker[*]} run --rm --network none"
        dcmds=(-n "docker runc" "$drun --runtime runc minibox true")
        # shellcheck disable=SC2086  # split as hyperfine -N splits it
        if err=$($drun --runtime minirun minibox true 2>&1); then
            dcmds=(-n "docker minirun" "$drun --runtime minirun minibox true" "${dcmds[@]}")
        else
            docker_note="docker run --runtime minirun failed: $(echo "$err" | grep . | head -1)"
            echo "$docker_note"
        fi
        echo "== docker run --rm --network none minibox true (private dockerd, hyperfine -N, $drounds rounds of $druns runs each)"
        for round in $(seq "$drounds"); do
            hyperfine -N --style basic --warmup 2 --runs "$druns" --export-json "$t/docker.$round.json" "${dcmds[@]}"
        done
        merge_rounds "$t/docker.json" "$t"/docker.*.json
    fi
    stop_dockerd
    rm -rf "$d" || echo "docker: $d not removed (it goes with the tmpfs)"
fi
# Rootless: hyperfine itself runs as the user (no runuser is timed), on a tmpfs of its own under /tmp (the repository's
# directories may not be the user's to enter), minirun and podman each with its store there; root's minirun runs the
# same command (--network none: a rootless container has no bridge) in the same rounds, for the rootless/root ratio.
# The user and its ranges come from scripts/rootless-users.sh (the rootless tests use them too). Not in the smoke run.
rootless_note=
if [ "$quick" != 1 ]; then
    echo "== rootless: run --rm --network none minibox true as an ordinary user"
    ruser=minirun-rootless
    scripts/rootless-users.sh
    rootless_dir=$(mktemp -d /tmp/minirun-bench-rootless.XXXXXX)
    mount -t tmpfs -o size=1g,mode=0755 bench-rootless "$rootless_dir"
    mkdir -p "$rootless_dir/run" && chmod 700 "$rootless_dir/run"
    cp "$bin" artifacts/minibox.tar "$rootless_dir/"
    chown -R "$ruser:" "$rootless_dir"
    as_user=(runuser -u "$ruser" -- env -i "PATH=$PATH" "HOME=$rootless_dir" "XDG_DATA_HOME=$rootless_dir/data"
        "XDG_RUNTIME_DIR=$rootless_dir/run" "XDG_CONFIG_HOME=$rootless_dir/config")
    rcmds=()
    if err=$("${as_user[@]}" "$rootless_dir/minirun" load -i "$rootless_dir/minibox.tar" 2>&1) &&
        err=$("${as_user[@]}" "$rootless_dir/minirun" run --rm --network none minibox true 2>&1); then
        rcmds+=(-n "minirun rootless" "$rootless_dir/minirun run --rm --network none minibox true")
    else
        rootless_note="minirun rootless left out: $(echo "$err" | grep . | tail -1)"
        echo "rootless: $rootless_note"
    fi
    prun="podman --runtime runc --cgroup-manager cgroupfs"
    if err=$("${as_user[@]}" $prun load -q -i "$rootless_dir/minibox.tar" 2>&1) &&
        err=$("${as_user[@]}" $prun run --rm --network none minibox true 2>&1); then
        rcmds+=(-n "podman rootless" "$prun run --rm --network none minibox true")
    else
        rootless_note="${rootless_note:+$rootless_note; }podman rootless left out: $(echo "$err" | grep . | tail -1)"
        echo "rootless: podman left out: $(echo "$err" | grep . | tail -1)"
    fi
    if [ ${#rcmds[@]} -gt 0 ]; then
        for round in $(seq 3); do
            "${as_user[@]}" hyperfine -N --style basic --warmup 2 --runs 8 --export-json "$rootless_dir/rootless.$round.json" "${rcmds[@]}"
            hyperfine -N --style basic --warmup 2 --runs 8 --export-json "$t/rootless-root.$round.json" \
                -n "minirun root" "$bin --root $t/root run --rm --network none minibox true"
            cp "$rootless_dir/rootless.$round.json" "$t/"
        done
        merge_rounds "$t/rootless.json" "$t"/rootless.*.json "$t"/rootless-root.*.json
    fi
    drop_rootless
fi

# Storage drivers: the Debian image (minibox in the smoke run) in a store of each driver's; btrfs on a loop-mounted
# file system of the bench's own, on the tmpfs. A driver that is missing is named in one line and left out.
# vfs's ten copies of Debian take ~2 GB of the tmpfs: the unpack rows' trees go first.
rm -rf "$t/x" "$t/load" "$t/umoci"
if [ "$quick" = 1 ]; then
    bench/drivers.sh "$bin" artifacts/minibox.tar minibox "$t" "$t/drivers.json" 1
else
    bench/drivers.sh "$bin" "$t/image-docker.tar" debian:bench "$t" "$t/drivers.json" 3
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

bench/report.sh "$t/start.json" "$t/unpack.json" "$rss_kb" "$ok" "$load_before" "$load_after" \
    "$t/life.json" "$t/docker.json" "$crun_note" "$docker_note" "$t/net.json" "$net_note" "$t/rootless.json" "$rootless_note" "$t/drivers.json" > "$t/report.md"
cat "$t/report.md"
if [ "$quick" != 1 ]; then
    # The notes under the table (each under a "## " heading) are the project's record: they stay.
    { cat "$t/report.md"; [ ! -f bench/RESULTS.md ] || awk '/^## / && !keep { keep = 1; print "" } keep' bench/RESULTS.md; } > "$t/results.md"
    cp "$t/results.md" bench/RESULTS.md
    echo "written to bench/RESULTS.md"
fi
[ "$ok" -eq 20 ]
