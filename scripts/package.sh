#!/usr/bin/env bash
# Builds the ktx Debian package: a release binary with the Swift standard library linked in
# (it runs on a Debian PC without Swift; it needs libsqlite3, and libxml2 for `ktx verify` reading Excel files), bash/zsh/fish completions
# (kinds and metrics complete), a man page, and a systemd unit for `ktx hub serve`.
#
#   scripts/package.sh            # writes dist/ktx_VERSION_ARCH.deb
#   sudo apt install ./dist/ktx_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
command -v dpkg-deb >/dev/null || { echo "package.sh: dpkg-deb is needed (Debian's dpkg)" >&2; exit 1; }

swift build -c release --product ktx --static-swift-stdlib
BIN=.build/release/ktx
VERSION=$("$BIN" --version)
ARCH=$(dpkg --print-architecture)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
ROOT="$WORK/ktx_${VERSION}_${ARCH}"

install -D -m 0755 "$BIN" "$ROOT/usr/bin/ktx"
strip "$ROOT/usr/bin/ktx" 2>/dev/null || true
install -d "$ROOT/usr/share/bash-completion/completions" "$ROOT/usr/share/zsh/vendor-completions" \
           "$ROOT/usr/share/fish/vendor_completions.d" "$ROOT/usr/share/man/man1" "$ROOT/lib/systemd/system" \
           "$ROOT/usr/share/doc/ktx" "$ROOT/DEBIAN"
"$ROOT/usr/bin/ktx" --generate-completion-script bash > "$ROOT/usr/share/bash-completion/completions/ktx"
"$ROOT/usr/bin/ktx" --generate-completion-script zsh > "$ROOT/usr/share/zsh/vendor-completions/_ktx"
"$ROOT/usr/bin/ktx" --generate-completion-script fish > "$ROOT/usr/share/fish/vendor_completions.d/ktx.fish"

# The man page, from the command definitions (argument-parser's generate-manual plugin). It
# reads the commands from a debug build: the same definitions, and .ci/run's test build is
# reused (a release build here would rebuild everything without the static standard library).
mkdir -p "$WORK/man"
swift package plugin --allow-writing-to-package-directory generate-manual --configuration debug --output-directory "$WORK/man" >/dev/null 2>&1
gzip -9n -c "$WORK/man/ktx.1" > "$ROOT/usr/share/man/man1/ktx.1.gz"

install -m 0644 packaging/ktx-hub.service "$ROOT/lib/systemd/system/ktx-hub.service"
install -m 0644 README.md "$ROOT/usr/share/doc/ktx/README.md"
install -d "$ROOT/usr/share/doc/ktx/docs" && install -m 0644 docs/*.md "$ROOT/usr/share/doc/ktx/docs/"
# The offline app's shared core, which `ktx hub serve` finds at ../share/ktx/ beside /usr/bin/ktx.
scripts/build-wasm.sh "$ROOT/usr/share/ktx/ktx-core.wasm"
SIZE=$(du -sk "$ROOT" | cut -f1)
cat > "$ROOT/DEBIAN/control" <<CONTROL
Package: ktx
Version: ${VERSION}
Architecture: ${ARCH}
Maintainer: ktx developers <ktx@localhost>
Installed-Size: ${SIZE}
Depends: libsqlite3-0, libc6, libstdc++6, zlib1g, libxml2
Section: utils
Priority: optional
Description: offline-first records of science outreach, synced through a hub
 A county science and technology association's township offices record activities and
 attendance offline in a local SQLite replica, and sync through a shared folder, a USB stick
 or the county's HTTP hub (ktx hub serve, packaged as the ktx-hub systemd service).
CONTROL

mkdir -p dist
dpkg-deb --root-owner-group --build "$ROOT" dist/ >/dev/null
echo "dist/ktx_${VERSION}_${ARCH}.deb"
