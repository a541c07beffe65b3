#!/usr/bin/env bash
# scripts/provision.sh [REPO] — turn a fresh Ubuntu or Debian machine (the Vagrant VM) into a MiniRun workshop box:
# the .NET 10 SDK, MiniRun's build deps, `minirun` in $PREFIX/bin, the default image loaded, and one container run.
# Run as root. REPO defaults to the checkout this script is in (Vagrant passes the synced folder).
# Idempotent: what is already there (an SDK, the packages, the image) is kept. CI runs it on its own machine with
# PREFIX and MINIRUN_ROOT under artifacts/, so every step is proven without touching /usr/local or /var/lib/minirun.
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
# The proof that the box works: a container runs.
"$minirun" run --rm minibox sh -c 'echo "provisioned: minibox runs on $(uname -sr)"' | grep -q '^provisioned: minibox runs on'
echo "provisioned: try  sudo minirun run --rm minibox sh   and the workshop in docs/workshop.md"
