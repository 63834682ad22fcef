#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build ktx: the system SQLite and zlib headers
# (zlib for ZIPFoundation, which writes .xlsx). With --tests, also what the tests use:
# faketime (a PC whose clock is years ahead, run through the built binary) and node (the web
# app's shared core, ktx-core.wasm, against the Swift core's conformance vectors).
# (Swift itself must already be installed; see README.)
set -euo pipefail
packages=(libsqlite3-dev zlib1g-dev)
if [ "${1:-}" = "--tests" ]; then packages+=(faketime); command -v node >/dev/null || packages+=(nodejs); fi
if ! dpkg -s "${packages[@]}" >/dev/null 2>&1; then
    echo "ktx: installing ${packages[*]}" >&2
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${packages[@]}"
fi
