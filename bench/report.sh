#!/usr/bin/env bash
# bench/report.sh START.json UNPACK.json RSS_KB OK LOAD_BEFORE LOAD_AFTER LIFE.json DOCKER.json CRUN_NOTE DOCKER_NOTE
#                  NET.json NET_NOTE ROOTLESS.json ROOTLESS_NOTE DRIVERS.json —
# the Markdown report of one bench run: the machine, the date, a table of hyperfine medians with the ratios the issues
# set targets for, and a verdict each. DOCKER.json may be absent (the smoke run starts no dockerd); a command missing
# from a file (a peer that could not run) reads "n/a". The notes say how crun was run, why docker's minirun failed, and
# which bridge commands failed and podman's network backend, and which rootless command could not run. DRIVERS.json
# (bench/drivers.sh) holds the storage drivers' rows and notes; a driver missing from it reads "n/a".
set -euo pipefail

start=$1 unpack=$2 rss_kb=$3 ok=$4 load_before=$5 load_after=$6 life=$7 docker=$8 crun_note=$9 docker_note=${10}
net=${11} net_note=${12} rootless=${13:-} rootless_note=${14:-} drivers=${15:-}

# Median, in milliseconds, of the command hyperfine ran under the name $2 (empty when it did not run).
median() { [ ! -f "$1" ] || jq -r --arg n "$2" '.results[] | select(.command == $n) | .median * 1000' "$1"; }
ratio() { if [ -n "$1" ] && [ -n "$2" ]; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; else echo n/a; fi; }
verdict() { [ "$1" != n/a ] || { echo n/a; return; }; awk -v r="$1" -v max="$2" 'BEGIN { print (r <= max) ? "met" : "NOT met" }'; }
ms() { if [ -n "$1" ]; then awk -v v="$1" 'BEGIN { printf "%.1f ms", v }'; else echo n/a; fi; }

minirun=$(median "$start" minirun) runc=$(median "$start" runc) bwrap=$(median "$start" bwrap) deep=$(median "$start" deep)
tar_gz=$(median "$unpack" "tar -xzf") tar_x=$(median "$unpack" "tar -x")
load_oci=$(median "$unpack" "load oci") load_docker=$(median "$unpack" "load docker") umoci=$(median "$unpack" "umoci unpack")
l_minirun=$(median "$life" minirun) l_runc=$(median "$life" runc) l_minirun_v1=$(median "$life" "minirun, crun's view")
[ -n "$crun_note" ] || l_minirun_v1=$l_minirun   # no view of crun's own: minirun and crun side by side on the host
l_crun=$(median "$life" crun) l_crun_nocg=$(median "$life" "crun, cgroups disabled")
d_minirun=$(median "$docker" "docker minirun") d_runc=$(median "$docker" "docker runc")
r_l_runc=$(ratio "$l_minirun" "$l_runc") r_l_crun=$(ratio "$l_minirun_v1" "$l_crun") r_l_nocg=$(ratio "$l_minirun_v1" "$l_crun_nocg")
r_docker=$(ratio "$d_minirun" "$d_runc")
n_bridge=$(median "$net" "minirun bridge") n_none=$(median "$net" "minirun none")
p_bridge=$(median "$net" "podman bridge") p_none=$(median "$net" "podman none")
r_n_podman=$(ratio "$n_bridge" "$p_bridge") r_n_plugins=$(ratio "$n_bridge" "$n_none") r_n_none=$(ratio "$n_none" "$p_none")
u_minirun=$(median "$rootless" "minirun rootless") u_root=$(median "$rootless" "minirun root") u_podman=$(median "$rootless" "podman rootless")
r_u_root=$(ratio "$u_minirun" "$u_root") r_u_podman=$(ratio "$u_minirun" "$u_podman")
# A storage driver's value (run_ms, ten_ms, du_bytes, exclusive_bytes, shared_bytes) from DRIVERS.json, empty when absent.
drv() { [ ! -f "$drivers" ] || jq -r --arg d "$1" --arg k "$2" '.drivers[] | select(.driver == $d) | .[$k]' "$drivers"; }
mb() { if [ -n "$1" ]; then awk -v v="$1" 'BEGIN { if (v < 1e6) printf "%.0f kB", v / 1e3; else printf "%.1f MB", v / 1e6 }'; else echo n/a; fi; }
o_run=$(drv overlay run_ms) o_ten=$(drv overlay ten_ms) o_du=$(drv overlay du_bytes)
v_run=$(drv vfs run_ms) v_ten=$(drv vfs ten_ms) v_du=$(drv vfs du_bytes)
b_run=$(drv btrfs run_ms) b_ten=$(drv btrfs ten_ms) b_du=$(drv btrfs du_bytes)
b_real=$(drv btrfs real_bytes) b_ex=$(drv btrfs exclusive_bytes) b_sh=$(drv btrfs shared_bytes)
view=
[ -z "$crun_note" ] || view=" (cgroup v1 view¹)"
rss_mb=$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')

r_runc=$(ratio "$minirun" "$runc") r_bwrap=$(ratio "$minirun" "$bwrap") r_deep=$(ratio "$deep" "$minirun")
r_gz=$(ratio "$load_oci" "$tar_gz") r_x=$(ratio "$load_docker" "$tar_x") r_umoci=$(ratio "$load_oci" "$umoci")

cat <<MD
# MiniRun benchmark results

Made by \`make bench\` (bench/bench.sh) on $(date -u +%Y-%m-%d) at $(date -u +%H:%M) UTC.

- Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, \
$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) RAM; $(uname -sr); \
$(. /etc/os-release && echo "$PRETTY_NAME")
- Load average (1, 5, 15 min) before: $load_before; after: $load_after (the machine may be shared: medians, peers in the same run)
- Peers: $(runc --version | head -1); $(crun --version | head -1); $(dockerd --version 2>/dev/null | cut -d, -f1); $(podman --version 2>/dev/null); $(bwrap --version); $(umoci --version); $(tar --version | head -1); $(hyperfine --version)
- Store and scratch on tmpfs; start times are \`hyperfine -N\` medians over rounds that each measure every command in turn,
  unpack times hyperfine medians (the previous tree deleted untimed before each run)

| what | minirun | peer | median of peer | ratio | target | |
|---|---|---|---|---|---|---|
| start: \`run --rm --network host minibox true\` | $(ms "$minirun") | \`runc run\` (ready bundle) | $(ms "$runc") | $r_runc | ≤ 0.35 | $(verdict "$r_runc" 0.35) |
| start: \`run --rm --network host minibox true\` | $(ms "$minirun") | \`bwrap --unshare-all\` | $(ms "$bwrap") | $r_bwrap | ≤ 1.5 | $(verdict "$r_bwrap" 1.5) |
| depth: \`run --rm --network host deep true\` (128 layers) | $(ms "$deep") | the 1-layer image | $(ms "$minirun") | $r_deep | ≤ 2 | $(verdict "$r_deep" 2) |
| unpack: \`load\` OCI gzip layout | $(ms "$load_oci") | \`tar -xzf\` of its layer blob | $(ms "$tar_gz") | $r_gz | ≤ 1.0 | $(verdict "$r_gz" 1.0) |
| unpack: \`load\` docker-save tar | $(ms "$load_docker") | \`tar -x\` of its layer | $(ms "$tar_x") | $r_x | ≤ 1.3 | $(verdict "$r_x" 1.3) |
| unpack: \`load\` OCI gzip layout | $(ms "$load_oci") | \`umoci unpack\` | $(ms "$umoci") | $r_umoci | ≤ 0.25 | $(verdict "$r_umoci" 0.25) |
| memory: peak RSS of \`load\` OCI gzip | $rss_mb MB | | | | ≤ 64 MB | $(verdict "$rss_mb" 64) |
| concurrency: 20 \`run --rm\` at once | $ok of 20 succeeded | | | | 20 | $( [ "$ok" -eq 20 ] && echo met || echo "NOT met") |
| bundle: create, start, wait, delete | $(ms "$l_minirun") | \`runc\` | $(ms "$l_runc") | $r_l_runc | ≤ 0.5 | $(verdict "$r_l_runc" 0.5) |
| bundle: create, start, wait, delete$view | $(ms "$l_minirun_v1") | \`crun\` | $(ms "$l_crun") | $r_l_crun | ≤ 1.0 | $(verdict "$r_l_crun" 1.0) |
| bundle: create, start, wait, delete$view | $(ms "$l_minirun_v1") | \`crun --cgroup-manager=disabled\` | $(ms "$l_crun_nocg") | $r_l_nocg | | |
| \`docker run --rm --network none … minibox true\` | $(ms "$d_minirun") | \`--runtime runc\` | $(ms "$d_runc") | $r_docker | ≤ 1.0 | $(verdict "$r_docker" 1.0) |
| bridge²: \`run --rm --network bridge minibox true\` | $(ms "$n_bridge") | \`podman run --rm --runtime runc --network bridge\` | $(ms "$p_bridge") | $r_n_podman | ≤ 0.2 | $(verdict "$r_n_podman" 0.2) |
| bridge²: \`run --rm --network bridge minibox true\` | $(ms "$n_bridge") | minirun \`--network none\` (the plugins' cost) | $(ms "$n_none") | $r_n_plugins | | |
| bridge²: \`run --rm --network none minibox true\` | $(ms "$n_none") | \`podman run --rm --runtime runc --network none\` | $(ms "$p_none") | $r_n_none | | |
| rootless³: \`run --rm --network none minibox true\` | $(ms "$u_minirun") | \`podman run --rm --runtime runc --network none\`, same user | $(ms "$u_podman") | $r_u_podman | ≤ 0.2 | $(verdict "$r_u_podman" 0.2) |
| rootless³: \`run --rm --network none minibox true\` | $(ms "$u_minirun") | minirun as root | $(ms "$u_root") | $r_u_root | | |
| driver⁴ vfs: \`run --rm --network none\` Debian \`true\` | $(ms "$v_run") | overlay | $(ms "$o_run") | $(ratio "$v_run" "$o_run") | | |
| driver⁴ vfs: 10 × \`run -d --network none\` (create + start) | $(ms "$v_ten") | overlay | $(ms "$o_ten") | $(ratio "$v_ten" "$o_ten") | | |
| driver⁴ vfs: disk per container (du) | $(mb "$v_du") | overlay | $(mb "$o_du") | $(ratio "$v_du" "$o_du") | | |
| driver⁴ btrfs: \`run --rm --network none\` Debian \`true\` | $(ms "$b_run") | overlay | $(ms "$o_run") | $(ratio "$b_run" "$o_run") | | |
| driver⁴ btrfs: 10 × \`run -d --network none\` (create + start) | $(ms "$b_ten") | overlay | $(ms "$o_ten") | $(ratio "$b_ten" "$o_ten") | | |
| driver⁴ btrfs: disk per container (du, shared extents in full) | $(mb "$b_du") | overlay | $(mb "$o_du") | $(ratio "$b_du" "$o_du") | | |
| driver⁴ btrfs: disk per container (\`btrfs filesystem du\`: exclusive + set shared) | $(mb "$b_real") | overlay | $(mb "$o_du") | $(ratio "$b_real" "$o_du") | | |

The bundle is \`minirun runtime spec\`'s config.json running \`true\`, the same file for every runtime (runc and crun take
it unchanged), its verbs called as an engine's shim calls them (bench/lifecycle.sh). The docker runs go to a private
dockerd the bench starts with \`--add-runtime minirun=…/minirun-runtime\` and removes after.

² In a network and mount namespace the bench makes and drops (bench/netns.sh: only lo, its own /run, /var/lib, /var/cache,
/var/tmp and /dev/shm), hyperfine inside it; minirun and podman each on its default bridge network there, with its CNI
plugins' bridge, veth and iptables rules. Podman with runc, cgroupfs, and its storage on the tmpfs.

³ As the user minirun-rootless (subordinate IDs 300000–365535), hyperfine run as that user; minirun's store and
podman's (runc, cgroupfs) on a tmpfs of the bench's own; root's minirun in the same rounds.

⁴ bench/drivers.sh: the Debian minbase image in a store of each driver's own, every container \`--network none\`. The
\`run --rm\` median is hyperfine's over rounds; "10 ×" is the wall time of ten \`run -d … sleep 3600\` one after the
other (median over rounds); disk per container is the store's growth over those ten, divided by ten (\`du -sx\`: the
containers' directories and the driver's trees). overlay and vfs on the tmpfs; btrfs on a file system the bench makes
with \`mkfs.btrfs\` on a sparse file there and mounts with \`-o loop\` (removed after); plain du counts a snapshot's
extents in full although they are shared with the image's subvolume, \`btrfs filesystem du\` does not.
MD
[ -z "$crun_note" ] || printf '\n¹ This machine has %s.\n' "$crun_note"
[ -f "$docker" ] || printf '\ndocker: not measured (the smoke run starts no dockerd).\n'
[ -z "$docker_note" ] || printf '\n%s; its ratio is n/a.\n' "$docker_note"
[ -f "$net" ] || printf '\nbridge: nothing measured (every command failed in the sandbox).\n'
[ -z "$net_note" ] || printf '\nbridge: %s.\n' "$net_note"
[ -z "$rootless_note" ] || printf '\nrootless: %s.\n' "$rootless_note"
[ ! -f "$drivers" ] || jq -r '.notes[] | "\ndrivers: \(.)."' "$drivers"
[ -f "$drivers" ] || printf '\ndrivers: not measured.\n'
[ -z "$b_ex" ] || printf '\ndrivers: btrfs, the store with its 10 containers: %s exclusive, %s set shared (btrfs filesystem du -s).\n' "$(mb "$b_ex")" "$(mb "$b_sh")"
