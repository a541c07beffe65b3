#!/usr/bin/env bash
# scripts/provision.sh [REPO] — turn a fresh Ubuntu machine (the Vagrant VM) into a MiniRun workshop box:
# the .NET 10 SDK, MiniRun's build deps, `minirun` in /usr/local/bin, and the default image loaded.
# Run as root. REPO defaults to the checkout this script is in (Vagrant passes the synced folder).
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"
export DEBIAN_FRONTEND=noninteractive

apt-get update -q
apt-get install -y -q --no-install-recommends make ca-certificates

# .NET the way Microsoft documents it for Ubuntu: from Ubuntu's own archive (25.10 and later),
# or from the Ubuntu .NET backports PPA where the archive has no .NET 10 yet (24.04).
if ! command -v dotnet >/dev/null 2>&1; then
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
minirun load -i artifacts/minibox.tar
echo "provisioned: try  sudo minirun run --rm minibox sh"
