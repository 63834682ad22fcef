#!/usr/bin/env bash
# One command for a newcomer: installs what is missing, builds ktx, and runs a real
# example: two township offices record 科技下乡 and 流动科技馆 activities offline,
# sync through a shared folder, and the county pulls the merged totals.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --product ktx
KTX="$PWD/.build/debug/ktx"

DEMO="${1:-$(mktemp -d /tmp/ktx-demo.XXXX)}"
mkdir -p "$DEMO"
cd "$DEMO"
echo "== demo folder: $DEMO"
HUB="$DEMO/shared-folder"

run() { echo "\$ ktx $*"; "$KTX" "$@"; }

echo "== 河西镇 and 东街镇 each create a replica, offline"
run init --db hexi.db --township 河西镇
run init --db dongjie.db --township 东街镇
run init --db county.db --township 县科协

echo "== 河西镇 records a 科技下乡 training and adds late sign-ins"
A=$("$KTX" record --db hexi.db --kind 科技下乡 --date 2023-05-20 --title 果树修剪技术培训 \
    --venue 河西村委会 --attendance 120 --techniques 1 --surveyed 40 --satisfied 39 --cost 1500)
echo "recorded $A"
run attend --db hexi.db "$A" 35
run attend --db hexi.db "$A" -5

echo "== 东街镇 records the mobile science museum at a school"
B=$("$KTX" record --db dongjie.db --kind 流动科技馆 --date 2023-06-02 --title 流动科技馆进校园 \
    --venue 东街中学 --attendance 860 --schools 1 --exhibits 48)
echo "recorded $B"
"$KTX" record --db dongjie.db --kind 青少年科普日 --date 2023-09-16 --title 青少年科普日 --attendance 300 --schools 2 >/dev/null

echo "== everyone syncs through the shared folder"
for db in hexi dongjie county; do "$KTX" remote add --db $db.db county "$HUB"; done
run sync --db hexi.db
run sync --db dongjie.db
run sync --db hexi.db
run sync --db county.db

echo "== the county's merged totals"
run totals --db county.db --by township,kind
run totals --db county.db --format json
echo "== every replica agrees:"
for db in hexi dongjie county; do printf '%-8s %s\n' "$db" "$("$KTX" totals --db $db.db --format json | sha256sum | cut -c1-16)"; done
run status --db county.db
