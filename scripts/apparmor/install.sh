#!/usr/bin/env bash
# scripts/apparmor/install.sh [--print] BINARY... — let minirun create user namespaces where AppArmor restricts them:
# installs the profile scripts/apparmor/minirun as /etc/apparmor.d/minirun, attached to each BINARY's real path (exec
# resolves symlinks), and loads it. Only where the kernel has the restriction
# (/proc/sys/kernel/apparmor_restrict_unprivileged_userns: Ubuntu's kernels); elsewhere it does nothing. Idempotent: the
# file is rewritten only when it changes, and loading replaces the profile of the same name.
# --print writes the profile to stdout and touches nothing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

print=false
if [ "${1:-}" = --print ]; then print=true; shift; fi
[ $# -gt 0 ] || { echo "usage: scripts/apparmor/install.sh [--print] BINARY..." >&2; exit 2; }

# The attachment: one path, or several as AppArmor's alternation /{a,b}.
paths=()
for binary in "$@"; do
    path=$(realpath -m "$binary")
    case $path in
        *[!A-Za-z0-9._/+-]*) echo "apparmor: not attaching $path: AppArmor would read some of its characters as a pattern" >&2; continue ;;
    esac
    case " ${paths[*]-} " in *" ${path#/} "*) ;; *) paths+=("${path#/}") ;; esac
done
[ ${#paths[@]} -gt 0 ] || { echo "apparmor: no binary to attach the profile to" >&2; exit 1; }
if [ ${#paths[@]} -eq 1 ]; then attachment="/${paths[0]}"; else attachment="/{$(IFS=,; echo "${paths[*]}")}"; fi

template="$here/minirun"
grep -q '^profile minirun /usr/local/bin/minirun flags=(unconfined) {$' "$template" || { echo "apparmor: $template: no profile line to attach" >&2; exit 1; }
profile=$(sed "s|^profile minirun /usr/local/bin/minirun |profile minirun $attachment |" "$template")
if $print; then printf '%s\n' "$profile"; exit 0; fi

if [ ! -e /proc/sys/kernel/apparmor_restrict_unprivileged_userns ]; then
    echo "apparmor: this kernel does not restrict user namespaces: no profile needed"
    exit 0
fi
if ! command -v apparmor_parser >/dev/null 2>&1; then
    echo "apparmor: the kernel restricts user namespaces but apparmor_parser is missing (apt-get install apparmor): rootless minirun will fail" >&2
    exit 1
fi
target=/etc/apparmor.d/minirun
if [ "$(cat "$target" 2>/dev/null)" != "$profile" ]; then
    printf '%s\n' "$profile" > "$target.tmp"
    mv "$target.tmp" "$target"
fi
apparmor_parser -r "$target"
echo "apparmor: profile minirun loaded ($target): user namespaces allowed to $attachment"
