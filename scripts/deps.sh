#!/usr/bin/env bash
# scripts/deps.sh [--ci] — install, on Debian/Ubuntu, what building and running MiniRun needs.
# Checks first and touches apt only when something is missing, so a second run is instant.
# --ci adds what the integration, Docker-parity, engine and workshop tests use (docker, podman, containerd, crun, skopeo,
# docker-registry, apache2-utils, runc, zstd, xz, ruby, perl, gcc with the static libc for the attack tests' probes, zsh for
# the completion tests, btrfs-progs for the btrfs storage tests) and afl++ (tests/fuzz.sh).
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }
# A static busybox runs inside any root filesystem; Debian's dynamic one would not.
static_busybox() { [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; }

missing=()
need() {   # need PACKAGE CHECK...: queue PACKAGE unless the check passes
    local package=$1; shift
    "$@" || missing+=("$package")
}

need busybox-static static_busybox
need clang          eval 'have clang-14 || have clang'   # the NativeAOT linker driver
need zlib1g-dev     test -e /usr/include/zlib.h          # NativeAOT links libz
need tar            have tar
need attr           have setfattr
need coreutils      have sha256sum
need libcap2-bin    have capsh                           # run --dry-run scripts drop capabilities with capsh
need uidmap         have newuidmap                       # rootless mode (and workshop level 11) map subordinate IDs with newuidmap/newgidmap
need keyutils      have keyctl                          # --explain replays and --dry-run scripts join a session keyring with keyctl
need libseccomp2    eval 'ldconfig -p | grep -q "libseccomp\.so\.2 "'   # compiles Docker's seccomp profile for each container
need containernetworking-plugins eval 'test -x /usr/lib/cni/bridge || test -x /opt/cni/bin/bridge'   # network: CNI bridge, host-local, portmap (firewall, tuning in conflists of your own)
need iptables       have iptables-save                   # the CNI plugins' NAT and forwarding rules
need passt          have pasta                           # rootless containers' user-mode network (--network pasta)
if [ "${1:-}" = --ci ]; then
    need iproute2   have ip         # the networking tests look into their sandbox namespace with ip
    need docker.io  have dockerd
    need skopeo     have skopeo
    need docker-registry have docker-registry   # the pull tests' registry on 127.0.0.1
    need apache2-utils have htpasswd     # the login tests' registry wants a login (bcrypt htpasswd)
    need runc       have runc
    need zstd       have zstd
    need xz-utils   have xz
    need afl++      have afl-fuzz                         # tests/fuzz.sh's short CI run
    need ruby       have ruby       # `ruby -c Vagrantfile`
    need perl       have perl       # docs/workshop.md's chroot escape
    need gcc        have gcc        # attack tests build small static C probes (gcc -static)
    need libc6-dev  eval 'ls /usr/lib/*/libc.a >/dev/null 2>&1'
    need mount      have losetup    # the v2 device program test reads a loop device as the host's disk
    need btrfs-progs have mkfs.btrfs  # the btrfs storage tests make their own file system in a loop-mounted image file
    # The engine tests run MiniRun under real engines (tests/MiniRun.Tests/Runtime/Engines).
    need podman     have podman     # podman --runtime …/minirun-runtime
    need conmon     have conmon     # podman's container monitor
    need containerd have containerd-shim-runc-v2   # a private containerd, ctr run --runc-binary …/minirun-runtime
    need crun       have crun       # the OCI runtime benchmark's second reference
    need bsdutils   have script     # docker run -it gets a terminal from script(1)
    need tmux       have tmux       # run -it and exec -it are tested in a real terminal, as a user types
    need tini       have docker-init  # run --init binds it in as PID 1, as Docker does
    need zsh        have zsh        # the zsh completion script is loaded and asked for candidates
fi

if [ ${#missing[@]} -eq 0 ]; then
    echo "deps: all present"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing ${missing[*]}: run as root (sudo make deps)" >&2
    exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
