#!/usr/bin/env bash
# One command for a newcomer: installs what is missing, builds ktx, and runs a real
# example: two township offices record 科技下乡 and 流动科技馆 activities offline,
# sync through a shared folder, and the county pulls the merged totals and the 2023
# performance report (绩效目标表).
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
run init --db county.db --county

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

echo "== 河西镇 imports the rest of its year from a spreadsheet (CSV, as Excel saves it)"
cat > hexi-2023.csv <<'CSV'
类型,日期,标题,地点,参加人次,受益人数,推广新品种新技术数,调查人数,满意人数,费用
科技下乡,2023-03-15,春耕农机使用培训,河西村,420,500,1,60,58,800
科技下乡,2023-08-22,大棚蔬菜病虫害防治,王庄村,610,700,,50,48,1200.50
科技下乡,2023-11-10,冬季果树管理,李庄村,380,400,,,,600
科技培训,2023-04-12,科技型中小企业申报培训,县科技局,85,80,,30,29,2500
CSV
run import --db hexi.db hexi-2023.csv

echo "== everyone syncs through the shared folder"
run hub init --db county.db "$HUB"
for db in hexi dongjie county; do "$KTX" remote add --db $db.db county "$HUB"; done
run sync --db hexi.db
run sync --db dongjie.db
echo "== the county checks the offices' requests (fingerprints read out on the phone) and enrols them"
run hub requests --db county.db "$HUB"
run hub approve --db county.db "$HUB" --all
run sync --db hexi.db
run sync --db dongjie.db
run sync --db county.db

echo "== the county's merged totals"
run totals --db county.db --by township,kind
run totals --db county.db --format json
echo "== every replica agrees:"
for db in hexi dongjie county; do printf '%-8s %s\n' "$db" "$("$KTX" totals --db $db.db --format json | sha256sum | cut -c1-16)"; done
run status --db county.db

echo "== the county enters a value the records cannot give, and prints the 2023 report"
run indicator set --db county.db --year 2023 --project rural --indicator 科技特派员覆盖率 92
run report --db county.db --year 2023 --project rural
run report --db county.db --year 2023 --format html --output "$DEMO/2023绩效.html"
echo "(open $DEMO/2023绩效.html in a browser, or print it on A4)"

echo "== at the year end, the county notes why a target was missed and hands in the self-evaluation form (自评表)"
run indicator note --db county.db --year 2023 --project rural --indicator 科技服务人次 "汛期停办两次，四季度补办"
run report --db county.db --year 2023 --project rural --form self-evaluation --filler 张三 --phone 0319-1234567
run report --db county.db --year 2023 --form self-evaluation --format xlsx --output "$DEMO/2023自评表.xlsx"
echo "(open $DEMO/2023自评表.xlsx in Excel, WPS or LibreOffice: one sheet per project, ready to print)"
