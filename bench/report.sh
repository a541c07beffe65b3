#!/usr/bin/env bash
# bench/report.sh START.json UNPACK.json RSS_KB OK LOAD_BEFORE LOAD_AFTER — the Markdown report of one bench run:
# the machine, the date, a table of hyperfine medians with the ratios issue 7 sets targets for, and a verdict each.
set -euo pipefail

start=$1 unpack=$2 rss_kb=$3 ok=$4 load_before=$5 load_after=$6

# Median, in milliseconds, of the command hyperfine ran under the name $2.
median() { jq -r --arg n "$2" '.results[] | select(.command == $n) | .median * 1000' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v r="$1" -v max="$2" 'BEGIN { print (r <= max) ? "met" : "NOT met" }'; }
ms() { awk -v v="$1" 'BEGIN { printf "%.1f ms", v }'; }

minirun=$(median "$start" minirun) runc=$(median "$start" runc) bwrap=$(median "$start" bwrap) deep=$(median "$start" deep)
tar_gz=$(median "$unpack" "tar -xzf") tar_x=$(median "$unpack" "tar -x")
load_oci=$(median "$unpack" "load oci") load_docker=$(median "$unpack" "load docker") umoci=$(median "$unpack" "umoci unpack")
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
- Peers: $(runc --version | head -1); $(bwrap --version); $(umoci --version); $(tar --version | head -1); $(hyperfine --version)
- Store and scratch on tmpfs; start times are \`hyperfine -N\` medians over rounds that each measure every command in turn,
  unpack times hyperfine medians (the previous tree deleted untimed before each run)

| what | minirun | peer | median of peer | ratio | target | |
|---|---|---|---|---|---|---|
| start: \`run --rm minibox true\` | $(ms "$minirun") | \`runc run\` (ready bundle) | $(ms "$runc") | $r_runc | ≤ 0.35 | $(verdict "$r_runc" 0.35) |
| start: \`run --rm minibox true\` | $(ms "$minirun") | \`bwrap --unshare-all\` | $(ms "$bwrap") | $r_bwrap | ≤ 1.5 | $(verdict "$r_bwrap" 1.5) |
| depth: \`run --rm deep true\` (128 layers) | $(ms "$deep") | the 1-layer image | $(ms "$minirun") | $r_deep | ≤ 2 | $(verdict "$r_deep" 2) |
| unpack: \`load\` OCI gzip layout | $(ms "$load_oci") | \`tar -xzf\` of its layer blob | $(ms "$tar_gz") | $r_gz | ≤ 1.0 | $(verdict "$r_gz" 1.0) |
| unpack: \`load\` docker-save tar | $(ms "$load_docker") | \`tar -x\` of its layer | $(ms "$tar_x") | $r_x | ≤ 1.3 | $(verdict "$r_x" 1.3) |
| unpack: \`load\` OCI gzip layout | $(ms "$load_oci") | \`umoci unpack\` | $(ms "$umoci") | $r_umoci | ≤ 0.25 | $(verdict "$r_umoci" 0.25) |
| memory: peak RSS of \`load\` OCI gzip | $rss_mb MB | | | | ≤ 64 MB | $(verdict "$rss_mb" 64) |
| concurrency: 20 \`run --rm\` at once | $ok of 20 succeeded | | | | 20 | $( [ "$ok" -eq 20 ] && echo met || echo "NOT met") |
MD
