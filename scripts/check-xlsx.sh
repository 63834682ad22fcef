#!/usr/bin/env bash
# Checks the Excel files ktx writes as an official would open them: the year-end
# self-evaluation form (自评表), the report and an export are read back with openpyxl (PyPI),
# cell by cell, and converted with LibreOffice headless (Debian's libreoffice-calc-nogui),
# to PDF (page count, page numbers) and CSV (the figures). Used by .ci/run after the tests;
# LibreOffice is installed when missing where the machine allows it (root and a mirror).
#
#   scripts/check-xlsx.sh [ktx binary]
set -euo pipefail
cd "$(dirname "$0")/.."
ktx=$(realpath "${1:-.build/debug/ktx}")
apt_mirror=$(realpath scripts/apt-mirror.sh)
python3 -c 'import openpyxl' 2>/dev/null || python3 -m pip install --quiet 'openpyxl>=3.1,<4'
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
cd "$work"
export KTX_DB="$work/county.db" LANG=C.UTF-8   # ktx speaks Chinese by default; C.UTF-8 keeps file names UTF-8 for LibreOffice
"$ktx" init --county >/dev/null
id=$("$ktx" record --kind 科技下乡 --date 2023-05-20 --title 果树修剪技术培训 --attendance 1200 --beneficiaries 2100 \
      --techniques 2 --surveyed 100 --satisfied 97 --cost 4500 --notes "村委会协办")
"$ktx" record --kind 科技下乡 --date 2023-08-10 --title 大棚蔬菜病虫害防治 --attendance 900 --cost 500 >/dev/null
"$ktx" indicator set --year 2023 --project rural --indicator 科技特派员覆盖率 88 >/dev/null
"$ktx" indicator note --year 2023 --project rural --indicator 科技特派员覆盖率 "两个园区尚无特派员
明年补齐" >/dev/null
"$ktx" report --year 2023 --form self-evaluation --filler 张三 --phone 0319-1234567 --filled-on 2024-01-15 \
    --format xlsx --output form.xlsx
"$ktx" report --year 2023 --format xlsx --output report.xlsx
"$ktx" export --year 2023 --format xlsx --output export.xlsx

python3 - "$id" <<'EOF'
import sys, openpyxl
form = openpyxl.load_workbook("form.xlsx")
assert form.sheetnames[:3] == ["科技下乡活动", "科技型中小企业培训", "青少年科技活动"], form.sheetnames
ws = form["科技下乡活动"]
def row(r): return [c.value for c in ws[r]]
assert ws["A1"].value == "项目支出绩效自评表（2023年度）"
assert ws["A2"].value == "填报单位：临西县科学技术协会本级    填报人：张三    联系电话：0319-1234567    填报日期：2024-01-15"
assert row(6)[:6] == ["主管部门", "临西县科学技术协会", None, None, "实施单位", "临西县科学技术协会本级"], row(6)
assert row(8)[:7] == ["年度资金总额", 2, 2, 0.5, 10, 25, 2.5], row(8)
assert row(9)[:4] == ["其中：当年财政拨款", 2, 2, 0.5] and row(10)[0] == "上年结转资金" and row(11)[0] == "其他资金"
# 实际完成值 a value (Q3 is 3, in the target's unit); 达标情况 beside it.
# 2100 ≥ 2000 met; 88 of 90 → 12.22; Q3 met; 0.5 ≤ 0.5 met; 2100 ≥ 2000; 2 ≥ 2; 97 % ≥ 95 %.
assert [r[4:8] for r in (row(i) for i in range(15, 22))] == [
    [2100, "达标", 12.5, 12.5], [88, "未达标", 12.5, 12.22], [3, "达标", 12.5, 12.5], [0.5, "达标", 12.5, 12.5],
    [2100, "达标", 15, 15], [2, "达标", 15, 15], [97, "达标", 10, 10]], [row(i) for i in range(15, 22)]
assert ws["I16"].value == "两个园区尚无特派员\n明年补齐"
assert row(22)[6:9] == [100, 92.22, "等级：优"], row(22)
assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
assert ws.page_setup.paperSize == 9 and ws.page_setup.fitToWidth == 1
assert ws["E15"].number_format == "#,##0" and ws["G15"].number_format == "#,##0.00" and ws["H15"].number_format == "#,##0.00"
assert len(form.sheetnames[3]) <= 31 and form.sheetnames[3] == "流动科技馆运转经费", form.sheetnames

export = openpyxl.load_workbook("export.xlsx").active
header = [c.value for c in export[1]]
assert header[:5] == ["编号", "日期", "乡镇", "类型", "标题"] and header[-1] == "备注", header
first = [c.value for c in export[2]]
assert first[0] == sys.argv[1] and first[7] == 1200 and first[-2] == 4500 and first[-1] == "村委会协办", first
report = openpyxl.load_workbook("report.xlsx").active
assert report["A1"].value.startswith("2023年度预算项目绩效目标完成情况")
print("openpyxl: form, report and export read back cell by cell")
EOF

if ! command -v soffice >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && mirror=$("$apt_mirror" --host 2>/dev/null) && timeout 20 bash -c "exec 3<>/dev/tcp/${mirror%:*}/${mirror##*:}" 2>/dev/null; then
        echo "check-xlsx: installing libreoffice-calc-nogui" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null
    else
        echo "check-xlsx: LibreOffice not installed and cannot be (needs root and a Debian mirror); conversion not checked" >&2
        exit 0
    fi
fi
# The form is printed with a Chinese font, as every office PC has one; without one LibreOffice
# falls back to a font whose boxes say nothing of the printed page.
if ! fc-list :lang=zh 2>/dev/null | grep -q . && [ "$(id -u)" -eq 0 ] && mirror=$("$apt_mirror" --host 2>/dev/null) \
    && timeout 20 bash -c "exec 3<>/dev/tcp/${mirror%:*}/${mirror##*:}" 2>/dev/null; then
    echo "check-xlsx: installing fonts-noto-cjk" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-noto-cjk >/dev/null
fi
cjk=$(fc-list :lang=zh 2>/dev/null | head -1)
# A profile of its own per run: a second soffice started while the first one still holds the
# default profile converts nothing.
timeout 300 soffice -env:UserInstallation="file://$work/lo-pdf" --headless --convert-to pdf --outdir pdf form.xlsx >/dev/null 2>&1
timeout 300 soffice -env:UserInstallation="file://$work/lo-csv" --headless \
    --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1' --outdir csv form.xlsx >/dev/null 2>&1
python3 - <<'EOF'
import csv, glob, re
pdf = open("pdf/form.pdf", "rb").read()
pages = int(re.findall(rb"/Count (\d+)", pdf)[-1])
assert pages == 4, pages      # one page per project of 2023
rows = list(csv.reader(open(glob.glob("csv/form-科技下乡活动.csv")[0], encoding="utf-8")))
assert rows[0][0] == "项目支出绩效自评表（2023年度）"
assert rows[21][6:9] == ["100", "92.22", "等级：优"], rows[21]
print(f"LibreOffice: the form converts to a {pages}-page PDF and its figures read back")
EOF
# The form as printed: every word's box on the page, no two words drawn over each other, the
# texts an official reads there (poppler's pdftotext -bbox-layout).
if ! command -v pdftotext >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
    apt-get install -y -qq --no-install-recommends poppler-utils >/dev/null 2>&1 || true
fi
if [ -z "$cjk" ]; then
    echo "check-xlsx: no Chinese font here (fonts-noto-cjk) and none can be installed; the printed layout is not checked" >&2
elif command -v pdftotext >/dev/null 2>&1; then
    "$ktx" report --year 2023 --form monitoring --through 7 --format xlsx --output monitoring.xlsx
    timeout 300 soffice -env:UserInstallation="file://$work/lo-mon" --headless --convert-to pdf --outdir pdf monitoring.xlsx >/dev/null 2>&1
    check_boxes() {
        pdftotext -bbox-layout "$1" "$1.boxes.html"
        python3 - "$1.boxes.html" "${@:2}" <<'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
problems, words_seen = [], []
for n, page in enumerate(re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', text, re.S), 1):
    width, height, body = float(page[0]), float(page[1]), page[2]
    words = [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in
             re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', body)]
    words_seen += [w[4] for w in words]
    for x0, y0, x1, y1, w in words:
        if x0 < 0 or y0 < 0 or x1 > width or y1 > height:
            problems.append(f"page {n}: {w!r} outside the page")
    for i, a in enumerate(words):
        for b in words[i + 1:]:
            dx = min(a[2], b[2]) - max(a[0], b[0])
            dy = min(a[3], b[3]) - max(a[1], b[1])
            if dx > 1 and dy > 1:
                problems.append(f"page {n}: {a[4]!r} and {b[4]!r} drawn over each other")
joined = "".join(words_seen)
for expected in sys.argv[2:]:
    if expected not in joined:
        problems.append(f"{expected!r} not on any page")
assert not problems, "\n".join(problems[:20])
name = sys.argv[1].split("/")[-1].split(".")[0]
print(f"pdftotext: {len(words_seen)} words on the {name} PDF's pages, none outside a page or over another")
EOF
    }
    # No character drawn across a cell's ruled line: a row too low for its text, a number
    # run into the next column (pdfplumber, PyPI: each character's box and each rule).
    check_rules() {
        python3 -c 'import pdfplumber' 2>/dev/null || python3 -m pip install --quiet 'pdfplumber>=0.11,<1'
        python3 - "$@" <<'EOF'
import sys, pdfplumber
problems, checked = [], 0
for path in sys.argv[1:]:
    with pdfplumber.open(path) as pdf:
        for n, page in enumerate(pdf.pages, 1):
            across = [(l["top"], l["x0"], l["x1"]) for l in page.lines if abs(l["top"] - l["bottom"]) < 0.01]
            down = [(l["x0"], l["top"], l["bottom"]) for l in page.lines if abs(l["x0"] - l["x1"]) < 0.01]
            for c in page.chars:
                if not c["text"].strip():
                    continue
                checked += 1
                m = 0.3  # a rule that only touches a box's edge does not cut a glyph
                if any(c["top"] + m < y < c["bottom"] - m and a < c["x1"] and c["x0"] < b for y, a, b in across) or \
                   any(c["x0"] + m < x < c["x1"] - m and a < c["bottom"] and c["top"] < b for x, a, b in down):
                    problems.append(f"{path.split('/')[-1]} page {n}: {c['text']!r} at ({c['x0']:.0f}, {c['top']:.0f}) is cut by a ruled line")
assert not problems, "\n".join(problems[:20]) + f"\n({len(problems)} characters cut)"
print(f"pdfplumber: {checked} characters on the forms' pages, none cut by a ruled line")
EOF
    }
    check_boxes pdf/form.pdf 项目支出绩效自评表（2023年度） 科技服务人次 偏差原因分析及改进措施 年度总体目标 当年财政拨款 达标情况 数字摘要
    check_boxes pdf/monitoring.pdf 项目支出绩效运行监控表（2023年1–7月） 科技服务人次 全年预计完成情况 完成目标可能性 数字摘要
    check_rules pdf/form.pdf pdf/monitoring.pdf
fi
