#!/usr/bin/env python3
"""The offline app (/app) in a real browser (Chromium through selenium, as scripts/browser-test.py).

A clerk enrols the browser with the township's token, goes offline (DevTools network emulation),
records an activity, reloads the page with no network (the service worker serves it, IndexedDB
keeps the record), comes back online and syncs; the county's PC pulls the record and verifies
its signature. The browser is closed and started again: the data is still there. The county
revokes the token: the next record stays in the browser, and the page says why in plain words.
Screenshots of each step are written to a temporary folder (printed).

Usage: scripts/webapp-test.py .build/debug/ktx    (after scripts/build-wasm.sh)
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

KTX = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug/ktx")
WORK = tempfile.mkdtemp(prefix="ktx-webapp-")
SHOTS = os.path.join(WORK, "screenshots")
PROFILE = os.path.join(WORK, "profile")
os.makedirs(SHOTS)
ENV = dict(os.environ, LANG="C.UTF-8", HOME=WORK)
processes = []
checks = 0
driver = None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ktx(*args, db=None):
    env = dict(ENV, KTX_DB=db or os.path.join(WORK, "none.db"))
    return subprocess.run([KTX, *args], env=env, check=True, capture_output=True, text=True).stdout.strip()


def check(condition, what):
    global checks
    if not condition:
        shot("failure")
        raise SystemExit(f"webapp-test: FAILED: {what} (notice: {notice()!r}; screenshots in {SHOTS})")
    checks += 1


def shot(name):
    path = os.path.join(SHOTS, f"{len(os.listdir(SHOTS)) + 1:02d}-{name}.png")
    driver.save_screenshot(path)
    return path


def notice():
    try:
        return driver.find_element(By.ID, "notice").text
    except WebDriverException:
        return ""


def wait(condition, what, seconds=30):
    try:
        WebDriverWait(driver, seconds).until(lambda d: condition())
    except Exception:
        check(False, what)
    check(True, what)


def launch():
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000", "--lang=zh-CN",
                f"--user-data-dir={PROFILE}"):
        options.add_argument(arg)
    options.binary_location = "/usr/bin/chromium"
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    d.set_page_load_timeout(30)
    return d


def offline(on):
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                           {"offline": on, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})


def unsent():
    # Read by script: the page re-renders while it syncs, and an element found a moment
    # before may be gone.
    return int(driver.execute_script("return document.getElementById('unsent')?.dataset.count ?? '-1'"))


def rows():
    return driver.execute_script("return [...document.querySelectorAll('#list tbody tr')].map((r) => r.innerText)")


def edit_title(activity, title):
    driver.find_element(By.CSS_SELECTOR, f"#list tr[data-id='{activity}'] td.actions button").click()
    field = driver.find_element(By.ID, "title-field")
    field.clear()
    field.send_keys(title)
    driver.find_element(By.ID, "save").click()
    wait(lambda: any(title in r for r in rows()), f"the list shows the new title {title}")


def report_rows():
    """The performance report's rows as the page shows them: [project, indicator, target, actual, rate, result]."""
    return driver.execute_script("""
        return [...document.querySelectorAll('#report .report-project')].flatMap((part) =>
            [...part.querySelectorAll('tbody tr')].map((tr) => [part.querySelector('h3').textContent,
                ...[...tr.cells].slice(2).map((x) => x.textContent)]));""")


def report_cells():
    """{indicator: [target, actual, rate, result]}, the first project's row of each name."""
    out = {}
    for r in report_rows():
        out.setdefault(r[1], r[2:])
    return out


def print_part(which, name):
    """Prints the page as its print button does (only that part), to PDF; returns the PDF's text."""
    import base64
    driver.execute_script(f"document.body.classList.add('{which}')")
    pdf = os.path.join(SHOTS, name)
    with open(pdf, "wb") as f:
        f.write(base64.b64decode(driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})["data"]))
    driver.execute_script(f"document.body.classList.remove('{which}')")
    return subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True).stdout


def click_sync():
    driver.find_element(By.ID, "sync").click()
    wait(lambda: "同步完成" in notice() or "同步" not in notice() and unsent() == 0, "a sync completes")


def record(title, attendance):
    Select(driver.find_element(By.ID, "kind")).select_by_value("rural")
    driver.find_element(By.ID, "date").clear()
    driver.find_element(By.ID, "date").send_keys("2023年5月20日")
    driver.find_element(By.ID, "title-field").send_keys(title)
    driver.find_element(By.ID, "venue").send_keys("河西村文化广场")
    driver.find_element(By.ID, "q-attendance").send_keys(attendance)
    driver.find_element(By.ID, "save").click()
    wait(lambda: any(title in r for r in rows()), f"the list shows {title}")


hub_db = os.path.join(WORK, "hub.db")
token = ktx("hub", "token", "create", "--db", hub_db, "--role", "township", "--township", "河西镇")
county_token = ktx("hub", "token", "create", "--db", hub_db, "--role", "county")
port = free_port()
HUB = f"http://127.0.0.1:{port}"
log = open(os.path.join(WORK, "hub.log"), "w")
processes.append(subprocess.Popen([KTX, "hub", "serve", "--db", hub_db, "--port", str(port)], env=ENV, stdout=log, stderr=subprocess.STDOUT))
for _ in range(100):
    try:
        urllib.request.urlopen(HUB + "/healthz", timeout=1)
        break
    except Exception:
        time.sleep(0.1)

try:
    driver = launch()
    started = time.monotonic()
    driver.get(HUB + "/app/")
    wait(lambda: driver.find_element(By.ID, "enrol").is_displayed(), "the enrol form shows")
    load = driver.execute_script("""
        const nav = performance.getEntriesByType('navigation')[0];
        const all = performance.getEntriesByType('resource').concat([nav]);
        return {ms: nav.loadEventEnd - nav.startTime, bytes: all.reduce((s, e) => s + (e.transferSize || 0), 0),
                wasm: (performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm')) || {}).transferSize || 0};""")
    shot("enrol")
    driver.find_element(By.ID, "token").send_keys("not-a-token")
    driver.find_element(By.CSS_SELECTOR, "#enrol-form button").click()
    wait(lambda: "令牌无效" in notice(), "a wrong token is refused in words")
    driver.find_element(By.ID, "token").clear()
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "#enrol-form button").click()
    wait(lambda: driver.find_element(By.ID, "work").is_displayed(), "enrolled: the record form shows")
    wait(lambda: "同步完成" in notice(), "the first sync completes")
    check(token not in driver.page_source, "the token is not shown on the page")
    wait(lambda: driver.execute_script("return !!navigator.serviceWorker.controller") or
         (driver.refresh() or False), "the service worker controls the page", 30)
    shot("enrolled")

    # A second tab of the same browser does not write: it says where to record.
    first_tab = driver.current_window_handle
    driver.switch_to.new_window("tab")
    driver.get(HUB + "/app/")
    wait(lambda: "另一个标签页" in notice(), "a second tab of the app says the app is open in another tab")
    check(not driver.find_element(By.ID, "work").is_displayed(), "the second tab shows no record form")
    driver.close()
    driver.switch_to.window(first_tab)

    # Offline: record, then reload the page with no network.
    offline(True)
    wait(lambda: "离线" in driver.find_element(By.ID, "network").text, "the page says it is offline")
    record("离线记录的果树培训", "85")
    check(unsent() > 0, "the record waits to be sent")
    shot("recorded-offline")
    driver.refresh()
    wait(lambda: any("离线记录的果树培训" in r for r in rows()), "reloaded offline, the record is still listed")
    check(unsent() > 0, "after the reload it still waits to be sent")
    shot("reloaded-offline")
    # The township's performance report, offline: the tables kept at the first sync, the record counted.
    report = report_cells()
    check(report.get("科技服务人次", [None])[:2] == ["≥2,000人次", "85人次"] and report["科技服务人次"][3] == "未达标",
          f"offline, the report counts the record against the 2023 table: {report.get('科技服务人次')}")
    check(report.get("科技特派员覆盖率", [None] * 4)[3] == "待县科协填报", "a manual indicator says the county enters it")
    driver.execute_script("document.getElementById('report-part').scrollIntoView()")
    shot("report-offline")

    # Online again: it syncs.
    offline(False)
    driver.execute_script("window.dispatchEvent(new Event('online'))")
    wait(lambda: unsent() == 0, "back online, the record is sent")
    shot("synced")

    # The township's totals of the year, printed as an office prints the page: only the table.
    printed = print_part("printing-totals", "totals-print.pdf")
    check("河西镇 2023 年活动合计" in printed and "85" in printed, f"the printed page holds the year's totals: {printed[:200]!r}")
    check("保存" not in printed and "记录活动" not in printed and "绩效目标" not in printed, "the printed totals leave the form and the report out")
    printed = print_part("printing-report", "report-print.pdf")
    check("河西镇 2023 年绩效目标完成情况" in printed and "科技服务人次" in printed and "85人次" in printed and "流动科技馆" in printed,
          f"the printed report holds every project's table: {printed[:300]!r}")
    check("活动合计" not in printed and "记录活动" not in printed, "the printed report leaves the totals and the form out")

    # The county's PC pulls the record and verifies its signature.
    county_db = os.path.join(WORK, "county.db")
    ktx("init", "--county", db=county_db)
    ENV["KTX_COUNTY_TOKEN"] = county_token
    ktx("remote", "add", "county", HUB, "--token-env", "KTX_COUNTY_TOKEN", db=county_db)
    ktx("sync", db=county_db)
    listed = json.loads(ktx("list", "--format", "json", db=county_db))
    row = next((a for a in listed if a["title"] == "离线记录的果树培训"), None)
    check(row is not None and row["township"] == "河西镇" and row["date"] == "2023-05-20", "the county's PC holds the record")
    ktx("check", db=county_db)
    check(True, "the county's replica checks sound")
    # The browser's report is the county's `ktx report` for this township's records.
    county_report = json.loads(ktx("report", "--year", "2023", "--format", "json", db=county_db))
    words = {"met": "达标", "not-met": "未达标", "pending": "待县科协填报"}
    county_rows = [[p["name"], i["name"], words[i["status"]]] for p in county_report["projects"] for i in p["indicators"]]
    page_rows = [[r[0], r[1], r[5]] for r in report_rows()]
    rural = next(i for p in county_report["projects"] for i in p["indicators"] if i["name"] == "科技服务人次")
    check(rural["actual"] == 85 and county_rows == page_rows and len(page_rows) > 20,
          f"the browser's report gives every indicator the county's verdict: {len(page_rows)} rows")

    # A restart of the browser keeps everything.
    driver.quit()
    driver = launch()
    driver.get(HUB + "/app/")
    wait(lambda: any("离线记录的果树培训" in r for r in rows()), "after a restart the record is there")
    check(unsent() == 0, "after a restart nothing waits")

    # A second browser (another profile) and a township PC change the activity while all three
    # are apart; after syncing, all three show the same.
    first = driver
    PROFILE = os.path.join(WORK, "profile-2")
    second = launch()
    driver = second
    driver.get(HUB + "/app/")
    wait(lambda: driver.find_element(By.ID, "enrol").is_displayed(), "the second browser shows the enrol form")
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "#enrol-form button").click()
    wait(lambda: any(row["id"] in r for r in [""] + driver.execute_script(
        "return [...document.querySelectorAll('#list tbody tr')].map((r) => r.dataset.id)")), "the second browser pulled the activity")
    pc_db = os.path.join(WORK, "hexi.db")
    ktx("init", "--township", "河西镇", db=pc_db)
    ENV["KTX_HEXI_TOKEN"] = token
    ktx("remote", "add", "county", HUB, "--token-env", "KTX_HEXI_TOKEN", db=pc_db)
    ktx("sync", db=pc_db)
    offline(True)
    edit_title(row["id"], "第二个浏览器改的标题")
    driver = first
    offline(True)
    edit_title(row["id"], "第一个浏览器改的标题")
    ktx("edit", row["id"], "--title", "电脑改的标题", db=pc_db)
    ktx("attend", row["id"], "7", db=pc_db)
    for d in (first, second):
        driver = d
        offline(False)
    for _ in range(2):
        for d in (first, second):
            driver = d
            click_sync()
        ktx("sync", db=pc_db)
    seen = []
    for d in (first, second):
        driver = d
        seen.append(driver.execute_script(
            f"return document.querySelector(\"#list tr[data-id='{row['id']}']\").innerText"))
    pc_row = next(a for a in json.loads(ktx("list", "--format", "json", db=pc_db)) if a["id"] == row["id"])
    check(seen[0] == seen[1], f"the two browsers agree: {seen}")
    check(pc_row["title"] in seen[0] and "92" in seen[0] and str(pc_row["attendance"]) == "92",
          f"the PC agrees with them: {pc_row['title']} {pc_row['attendance']} / {seen[0]}")
    shot("converged")
    second.quit()
    driver = first

    # The county revokes the token: the next record stays, and the page says why.
    ktx("hub", "token", "revoke", "--db", hub_db, "1")  # the township's token, made first
    record("吊销后的记录", "12")
    wait(lambda: "停用" in notice(), "a revoked token is told in words")
    check(unsent() > 0, "the record made after the revocation stays in the browser")
    shot("revoked")

    # The county gives the township a new token: entered in the page, the kept record goes.
    check(driver.find_element(By.ID, "retoken").is_displayed(), "the page asks for a new token")
    other = ktx("hub", "token", "create", "--db", hub_db, "--role", "township", "--township", "东街镇")
    driver.find_element(By.ID, "new-token").send_keys(other)
    driver.find_element(By.CSS_SELECTOR, "#retoken-form button").click()
    wait(lambda: "不是本浏览器登记的乡镇" in notice(), "another township's token is refused in words")
    fresh = ktx("hub", "token", "create", "--db", hub_db, "--role", "township", "--township", "河西镇")
    driver.find_element(By.ID, "new-token").clear()
    driver.find_element(By.ID, "new-token").send_keys(fresh)
    driver.find_element(By.CSS_SELECTOR, "#retoken-form button").click()
    wait(lambda: unsent() == 0, "with the new token the kept record is sent")
    ktx("sync", db=county_db)
    check(any(a["title"] == "吊销后的记录" for a in json.loads(ktx("list", "--format", "json", db=county_db))),
          "the county holds the record made while the token was revoked")
    driver.execute_cdp_cmd("HeapProfiler.collectGarbage", {})
    heap = driver.execute_cdp_cmd("Runtime.getHeapUsage", {})
    print(json.dumps({"first_load_ms": round(load["ms"]), "first_load_bytes": load["bytes"], "wasm_bytes": load["wasm"],
                      "js_heap_used_bytes": heap.get("usedSize"), "js_heap_total_bytes": heap.get("totalSize"),
                      "checks": checks, "screenshots": SHOTS}, ensure_ascii=False))
finally:
    if driver:
        driver.quit()
    for p in processes:
        p.terminate()
