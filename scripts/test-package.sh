#!/usr/bin/env bash
# Installs the ktx Debian package into a bare Debian made with debootstrap (no Swift inside)
# and runs ktx's main job there: two township offices record offline, the county governs the
# hub folder and enrols them, everyone syncs, the county prints the 2023 report.
#
#   sudo scripts/test-package.sh [dist/ktx_VERSION_ARCH.deb]
#
# Needs root (chroot) and a Debian mirror; a few minutes (debootstrap downloads ~40 MB).
set -euo pipefail
cd "$(dirname "$0")/.."
DEB=$(realpath "${1:-$(ls dist/ktx_*.deb | tail -1)}")
MIRROR=${DEBIAN_MIRROR:-$(scripts/apt-mirror.sh)}
command -v debootstrap >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; }
ROOTFS=$(mktemp -d /tmp/ktx-bare.XXXX)
cleanup() { umount "$ROOTFS/proc" 2>/dev/null || true; rm -rf "$ROOTFS"; }
trap cleanup EXIT

echo "== a bare Debian (bookworm, minbase) in $ROOTFS" >&2
debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >/dev/null
mount -t proc proc "$ROOTFS/proc"
cp "$DEB" "$ROOTFS/tmp/ktx.deb"
echo "== install the package (apt brings libsqlite3-0)" >&2
chroot "$ROOTFS" sh -c 'apt-get install -y -qq /tmp/ktx.deb >/dev/null'
chroot "$ROOTFS" sh -c 'if find / -xdev -name "libswiftCore*" 2>/dev/null | grep -q .; then echo "Swift found inside" >&2; exit 1; fi'
for f in /usr/bin/ktx /usr/share/man/man1/ktx.1.gz /usr/share/bash-completion/completions/ktx \
         /usr/share/zsh/vendor-completions/_ktx /usr/share/fish/vendor_completions.d/ktx.fish /lib/systemd/system/ktx-hub.service \
         /usr/share/ktx/ktx-core.wasm; do
    [ -e "$ROOTFS$f" ] || { echo "missing in the package: $f" >&2; exit 1; }
done
grep -q "科技下乡" "$ROOTFS/usr/share/bash-completion/completions/ktx" || { echo "completion lacks the kinds" >&2; exit 1; }

echo "== ktx's main job, inside" >&2
chroot "$ROOTFS" env LANG=C.UTF-8 sh -eu -c '
cd /root
ktx --version
ktx init --db hexi.db --township 河西镇 >/dev/null
ktx init --db dongjie.db --township 东街镇 >/dev/null
ktx init --db county.db --county >/dev/null
A=$(ktx record --db hexi.db --kind 科技下乡 --date 2023/5/20 --title 果树修剪技术培训 --attendance 120 --surveyed 40 --satisfied 39 --cost 1500)
ktx attend --db hexi.db "$A" 35
ktx record --db dongjie.db --kind 流动科技馆 --date 2023年6月2日 --title 流动科技馆进校园 --attendance 860 --schools 1 --exhibits 48 >/dev/null
ktx hub init --db county.db hub >/dev/null
for db in hexi dongjie county; do ktx remote add --db $db.db usb hub >/dev/null; done
ktx sync --db hexi.db 2>/dev/null; ktx sync --db dongjie.db 2>/dev/null
ktx hub approve --db county.db hub --all
for db in hexi dongjie county; do ktx sync --db $db.db; done
ktx totals --db county.db --by township
ktx report --db county.db --year 2023 --project rural
test "$(ktx totals --db county.db --format json | grep -c "\"attendance\": 1015")" = 1
'
echo "== the package installs and works on a bare Debian" >&2
