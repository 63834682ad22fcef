#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build ktx: the system SQLite and zlib headers
# (zlib for ZIPFoundation, which writes .xlsx).
# (Swift itself must already be installed; see README.)
set -euo pipefail
if ! dpkg -s libsqlite3-dev zlib1g-dev >/dev/null 2>&1; then
    echo "ktx: installing libsqlite3-dev zlib1g-dev" >&2
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libsqlite3-dev zlib1g-dev
fi
