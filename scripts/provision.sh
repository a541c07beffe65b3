#!/usr/bin/env bash
# scripts/provision.sh [REPO] — turn a fresh Ubuntu or Debian machine (the Vagrant VM) into a MiniRun workshop box:
# the .NET 10 SDK, MiniRun's build deps, `minirun` in $PREFIX/bin, the default image loaded, subordinate IDs for the
# vagrant user and an AppArmor profile for rootless minirun where Ubuntu needs one, and one container run.
# Run as root. REPO defaults to the checkout this script is in (Vagrant passes the synced folder).
# Idempotent: what is already there (an SDK, the packages, the image) is kept. CI runs it on its own machine with
# PREFIX and MINIRUN_ROOT under artifacts/, so every step is proven without touching /usr/local or /var/lib/minirun
# (a CI machine has no vagrant user; on an Ubuntu kernel it gets the AppArmor profile, which its rootless tests need).
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"
export DEBIAN_FRONTEND=noninteractive
PREFIX=${PREFIX:-/usr/local}
export PREFIX

have() { command -v "$1" >/dev/null 2>&1; }

# The SDK where Microsoft's packages and install script put it, even when it is not on PATH.
find_dotnet() {
    local candidate
    for candidate in "$(command -v dotnet || true)" /usr/share/dotnet/dotnet /usr/lib/dotnet/dotnet "$HOME/.dotnet/dotnet"; do
        [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" --list-sdks 2>/dev/null | grep -q '^10\.' && { echo "$candidate"; return 0; }
    done
    return 1
}

if ! have make || [ ! -e /etc/ssl/certs/ca-certificates.crt ]; then
    apt-get update -q
    apt-get install -y -q --no-install-recommends make ca-certificates
fi

# .NET the way Microsoft documents it for Ubuntu: from Ubuntu's own archive (25.10 and later),
# or from the Ubuntu .NET backports PPA where the archive has no .NET 10 yet (24.04).
if dotnet=$(find_dotnet); then
    echo "provision: .NET SDK present ($dotnet), not installing it"
else
    apt-get update -q
    if ! apt-cache show dotnet-sdk-10.0 >/dev/null 2>&1; then
        apt-get install -y -q software-properties-common
        add-apt-repository -y ppa:dotnet/backports
        apt-get update -q
    fi
    apt-get install -y -q dotnet-sdk-10.0
fi

make deps
make
make install
make image
minirun="$PREFIX/bin/minirun"
"$minirun" load -i artifacts/minibox.tar

# Rootless minirun (run by an ordinary user) maps the user's subordinate IDs with newuidmap/newgidmap. Ubuntu's
# adduser gives every user it makes a range; a box whose vagrant user was made otherwise gets one here, after the
# highest range taken.
if id -u vagrant >/dev/null 2>&1; then
    for file in /etc/subuid /etc/subgid; do
        [ -e "$file" ] || install -m 0644 /dev/null "$file"
        grep -q '^vagrant:' "$file" && continue
        start=$(awk -F: 'BEGIN { s = 100000 } $2 + $3 > s { s = $2 + $3 } END { print s }' "$file")
        option=--add-subuids; [ "$file" = /etc/subgid ] && option=--add-subgids
        usermod "$option" "$start-$((start + 65535))" vagrant
    done
fi
# Where AppArmor restricts unprivileged user namespaces (Ubuntu 23.10 and later), a profile lets minirun make them:
# the installed binary, and the repo's own build (make, then artifacts/minirun as a user). Nothing elsewhere.
scripts/apparmor/install.sh "$minirun" "$PWD/artifacts/minirun"
# The proof that the box works: a container runs.
"$minirun" run --rm minibox sh -c 'echo "provisioned: minibox runs on $(uname -sr)"' | grep -q '^provisioned: minibox runs on'
echo "provisioned: try  sudo minirun run --rm minibox sh   and the workshop in docs/workshop.md"
