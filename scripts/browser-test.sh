#!/usr/bin/env bash
# The web pages in a real browser: installs Debian's Chromium and chromium-driver and selenium
# (PyPI) if missing, then runs scripts/browser-test.py against the given ktx binary.
# Usage: scripts/browser-test.sh .build/debug/ktx
set -euo pipefail
cd "$(dirname "$0")/.."
KTX="${1:-.build/debug/ktx}"
if ! command -v chromedriver >/dev/null 2>&1 || ! dpkg -s chromium fonts-noto-cjk >/dev/null 2>&1; then
    echo "ktx: installing chromium chromium-driver fonts-noto-cjk" >&2
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver fonts-noto-cjk
fi
python3 -c "import selenium" 2>/dev/null || python3 -m pip install -q selenium
exec python3 scripts/browser-test.py "$KTX"
