#!/usr/bin/env bash
# bench/netns.sh up|down DIR — the bridge rows' sandbox: a network namespace and a mount namespace, pinned at DIR/net and
# DIR/mnt (enter them with `nsenter --net=DIR/net --mount=DIR/mnt`), made and dropped without touching the host's network.
#
# Inside: only lo (up), so bridges, veths, addresses and iptables rules the CNI plugins make live there and die with it;
# tmpfs on /run (iptables' lock, netns pins, podman's run state), /var/lib (/var/lib/cni's address and result caches),
# /var/cache, /var/tmp and /dev/shm (podman's locks), so nothing an engine writes by default reaches the host's disk; and
# a sysfs of its own (the namespace's devices), the host's cgroup mounts kept under it, as the networking tests do
# (tests/MiniRun.Tests/Networking/NetworkSandbox.cs). `down` unmounts the pins: once their last process is gone the
# namespaces go, and every device, rule and mount in them with them. DIR must be on a private mount (unshare pins there).
set -euo pipefail

verb=${1:-} dir=${2:-}
case $verb in
up)
    mkdir -p "$dir"
    touch "$dir/net" "$dir/mnt"
    unshare --net="$dir/net" --mount="$dir/mnt" --propagation private sh -euc '
        for d in /run /var/lib /var/cache; do mount -t tmpfs -o mode=0755 bench-netns "$d"; done
        for d in /var/tmp /dev/shm; do mount -t tmpfs -o mode=1777 bench-netns "$d"; done
        mkdir /run/cgroup
        mount --rbind /sys/fs/cgroup /run/cgroup
        mount -t sysfs bench-netns /sys
        mount --move /run/cgroup /sys/fs/cgroup
        rmdir /run/cgroup
        ip link set lo up'
    ;;
down)
    for pin in "$dir/net" "$dir/mnt"; do
        umount "$pin" 2>/dev/null || true   # not pinned: up failed half-way, or down ran already
    done
    rm -f "$dir/net" "$dir/mnt"
    ;;
*)
    echo "usage: bench/netns.sh up|down DIR" >&2
    exit 2
    ;;
esac
