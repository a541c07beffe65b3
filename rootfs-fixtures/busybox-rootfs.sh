#!/usr/bin/env bash
# busybox-rootfs.sh DIR — build a tiny root filesystem from Debian's busybox-static.
#
# The one generator behind both the bundled `minibox` image (images/minibox/build.sh)
# and the tests (rootfs-fixtures/MiniRun.Fixtures/BusyboxRootfs.cs). Offline and
# deterministic: same busybox binary in, same tree out (fixed mtimes, fixed owners).
#
# Environment: BUSYBOX (default /bin/busybox), SOURCE_DATE_EPOCH (default 0).
set -euo pipefail

die() { echo "busybox-rootfs.sh: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: busybox-rootfs.sh DIR"
root=$1
busybox=${BUSYBOX:-/bin/busybox}
epoch=${SOURCE_DATE_EPOCH:-0}

[ -x "$busybox" ] || die "$busybox not found: apt-get install busybox-static (or: make deps)"
# A dynamically linked busybox (Debian's 'busybox' package) would not run without the host's libc.
if ldd "$busybox" >/dev/null 2>&1; then
    die "$busybox is dynamically linked: apt-get install busybox-static"
fi
if [ -e "$root" ] && [ -n "$(ls -A "$root")" ]; then
    die "$root exists and is not empty"
fi

umask 022
mkdir -p "$root"
cd "$root"

# The usual FHS skeleton; /proc /sys /dev are mount points the runtime fills.
mkdir -p bin sbin etc home lib mnt opt proc root run srv sys dev tmp \
         usr/bin usr/sbin usr/lib usr/local/bin var/log var/tmp var/spool var/cache
chmod 0700 root
chmod 1777 tmp var/tmp

install -m 0755 "$busybox" bin/busybox

# One symlink per applet, where busybox says it lives. Absolute targets, as Alpine
# does (/bin/sh -> /bin/busybox): an unpacker must keep them without following them.
"$busybox" --list-full | LC_ALL=C sort | while IFS= read -r applet; do
    case "$applet" in
        bin/busybox|linuxrc) continue ;;   # the binary itself; an initrd hook, not wanted in /
    esac
    mkdir -p "$(dirname "$applet")"
    [ -e "$applet" ] || ln -s /bin/busybox "$applet"
done

# Accounts: root, an ordinary user (uid 1000) for User= tests, and nobody.
cat > etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat > etc/group <<'EOF'
root:x:0:
user:x:1000:
nogroup:x:65534:
EOF
cat > etc/shadow <<'EOF'
root:*:0:0:99999:7:::
user:*:0:0:99999:7:::
nobody:*:0:0:99999:7:::
EOF
chmod 0640 etc/shadow
mkdir -p home/user

cat > etc/os-release <<'EOF'
NAME=minibox
ID=minibox
VERSION_ID=1
PRETTY_NAME="minibox 1 (busybox)"
EOF
# Login shells (sh -l) get a prompt that shows where you are.
cat > etc/profile <<'EOF'
export PS1='\u@\h:\w\$ '
EOF

# Owners: everything root, the user's home the user's. Only root can chown; a
# non-root run leaves the caller's ids, and packers then map them to 0 (see BusyboxRootfs.cs).
if [ "$(id -u)" -eq 0 ]; then
    chown -R -h 0:0 .
    chown 1000:1000 home/user
fi

# Fixed times on everything (symlinks too, -h), so two runs give the same tar.
find . -exec touch -h -d "@$epoch" {} +
