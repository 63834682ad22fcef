#!/usr/bin/env bash
# Prints the Debian mirror this machine's apt uses (its first http(s) source), e.g. for
# debootstrap; `--host` prints only its host and port, for a reachability probe. The project
# names no mirror of its own: it goes where the machine's apt configuration goes.
set -euo pipefail
url=$( { cat /etc/apt/sources.list 2>/dev/null; cat /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null; } \
    | grep -v '^\s*#' | grep -oE 'https?://[^ ]+' | grep -v security | head -1 || true)
[ -n "$url" ] || { echo "apt-mirror: no http(s) source in /etc/apt" >&2; exit 1; }
if [ "${1:-}" = "--host" ]; then
    hostport=$(echo "$url" | sed -E 's#^https?://([^/]+).*#\1#')
    case "$url" in https://*) default=443 ;; *) default=80 ;; esac
    case "$hostport" in *:*) echo "$hostport" ;; *) echo "$hostport:$default" ;; esac
else
    echo "$url"
fi
