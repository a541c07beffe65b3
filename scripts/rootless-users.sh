#!/usr/bin/env bash
# scripts/rootless-users.sh — the ordinary users that the rootless tests (tests/MiniRun.Tests/Rootless) and the bench's
# rootless rows run minirun as: minirun-rootless with the subordinate range 300000-365535 in /etc/subuid and
# /etc/subgid, and minirun-norange with none (the one-ID fallback). Idempotent, as root; CI starts on a fresh machine.
set -euo pipefail
[ "$(id -u)" -eq 0 ] && command -v useradd >/dev/null || exit 0
for user in minirun-rootless minirun-norange; do
    id "$user" >/dev/null 2>&1 || useradd --system --create-home --shell /usr/sbin/nologin "$user"
done
grep -q '^minirun-rootless:' /etc/subuid 2>/dev/null || usermod --add-subuids 300000-365535 minirun-rootless
grep -q '^minirun-rootless:' /etc/subgid 2>/dev/null || usermod --add-subgids 300000-365535 minirun-rootless
