#!/usr/bin/env python3
"""The pages in a real browser: Debian's Chromium, driven by chromium-driver through selenium.

A clerk records an activity through `ktx ui`'s form, adds attendance and syncs with the HTTP
hub; the county logs in to the hub's dashboard, sees the township's new totals and the PC's
last push, enrols a township with a new token and revokes it, opens and downloads the
self-evaluation form; pages are checked by their content in Chinese and English, and a
screenshot of each is written to a temporary folder (printed). A wrong token is refused, a
session expires, and a form posted from another site's page is refused.

Usage: scripts/browser-test.py .build/debug/ktx
"""
import http.server
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

KTX = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug/ktx")
WORK = tempfile.mkdtemp(prefix="ktx-browser-")
SHOTS = os.path.join(WORK, "screenshots")
os.makedirs(SHOTS)
ENV = dict(os.environ, LANG="C.UTF-8", HOME=WORK, KTX_DB=os.path.join(WORK, "hexi.db"))
processes = []
checks = 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ktx(*args, env=None):
    return subprocess.run([KTX, *args], env=env or ENV, check=True, capture_output=True, text=True).stdout.strip()


def start(*args, env=None):
    log = open(os.path.join(WORK, f"{args[0]}-{len(processes)}.log"), "w")
    p = subprocess.Popen([KTX, *args], env=env or ENV, stdout=log, stderr=subprocess.STDOUT)
    processes.append(p)
    return p


def wait_for(url):
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except Exception:
            time.sleep(0.1)
    raise SystemExit(f"browser-test: {url} did not answer")


def check(condition, what):
    global checks
    if not condition:
        shot("failure")
        raise SystemExit(f"browser-test: FAILED: {what} (page: {driver.current_url}; screenshots in {SHOTS})")
    checks += 1


def shot(name):
    path = os.path.join(SHOTS, f"{len(os.listdir(SHOTS)) + 1:02d}-{name}.png")
    driver.save_screenshot(path)
    return path


def submit(button):
    """Clicks a form's button and waits for the page the form answers with.

    The old document is marked and the wait is for a loaded document without the mark. Waiting
    for the button to go stale (selenium's staleness_of) asks Chromium about the button while
    the page is being swapped, and Chromium then sometimes answers with an inspector error
    ("Node with given id does not belong to the document") instead of "stale": a flaky failure.
    """
    driver.execute_script("window.ktxOldPage = true")
    button.click()

    def answered(d):
        try:
            return d.execute_script("return window.ktxOldPage === undefined && document.readyState === 'complete'")
        except WebDriverException:
            return False  # the document is between pages; ask again

    WebDriverWait(driver, 60).until(answered)


def text():
    return driver.find_element(By.TAG_NAME, "body").text


# The hub and its tokens; a township's PC with the hub as its remote.
hub_port, ui_port, short_port, evil_port = free_port(), free_port(), free_port(), free_port()
hub_db = os.path.join(WORK, "hub.db")
admin = ktx("hub", "token", "create", "--db", hub_db, "--role", "admin")
county = ktx("hub", "token", "create", "--db", hub_db, "--role", "county")
ENV["KTX_HEXI_TOKEN"] = ktx("hub", "token", "create", "--db", hub_db, "--role", "township", "--township", "河西镇")
start("hub", "serve", "--db", hub_db, "--port", str(hub_port))
start("hub", "serve", "--db", hub_db, "--port", str(short_port), "--session-minutes", "0.05")
HUB, SHORT = f"http://127.0.0.1:{hub_port}", f"http://127.0.0.1:{short_port}"
ktx("init", "--township", "河西镇")
ktx("remote", "add", "county", HUB, "--token-env", "KTX_HEXI_TOKEN")
start("ui", "--no-open", "--port", str(ui_port))
UI = f"http://127.0.0.1:{ui_port}"
for url in (HUB + "/healthz", SHORT + "/healthz", UI + "/"):
    wait_for(url)


# Another site: a page that posts a form to the hub's admin page and to the clerk's form.
class Evil(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        target = HUB + "/admin/tokens" if self.path.startswith("/hub") else UI + "/new"
        body = (f'<html><body><form id="f" method="post" action="{target}">'
                '<input name="role" value="admin"><input name="kind" value="rural"><input name="date" value="2023-05-20">'
                '<input name="title" value="forged"><input name="form_token" value="guess"></form>'
                '<script>document.getElementById("f").submit()</script></body></html>').encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


evil = http.server.HTTPServer(("127.0.0.1", evil_port), Evil)
threading.Thread(target=evil.serve_forever, daemon=True).start()

options = webdriver.ChromeOptions()
for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000", "--lang=zh-CN"):
    options.add_argument(arg)
options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
options.binary_location = "/usr/bin/chromium"
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.set_page_load_timeout(30)
try:
    # The clerk records an activity with the form: labels name every field.
    driver.get(UI + "/new")
    check("登记活动" in text(), "the record form in Chinese, as the browser asks")
    for field in ("kind", "date", "title", "venue", "notes", "m-attendance"):
        check(driver.find_elements(By.CSS_SELECTOR, f'label[for="{field}"]'), f"a label for {field}")
    Select(driver.find_element(By.ID, "kind")).select_by_visible_text("科技下乡")
    driver.execute_script("arguments[0].value = '2023-05-20'", driver.find_element(By.ID, "date"))
    driver.find_element(By.ID, "title").send_keys("果树修剪技术培训")
    driver.find_element(By.ID, "venue").send_keys("河西村委会")
    driver.find_element(By.ID, "notes").send_keys("县农业局协办")
    driver.find_element(By.ID, "m-attendance").send_keys("12x")
    shot("clerk-form")
    submit(driver.find_element(By.CSS_SELECTOR, "form.record button[type=submit]"))
    check("不是有效数量" in text(), "a bad amount is refused with the CLI's words")
    check(driver.switch_to.active_element.get_attribute("id") == "form-error", "the refusal has the focus")
    check(driver.find_element(By.ID, "title").get_attribute("value") == "果树修剪技术培训", "what was typed is kept")
    shot("clerk-form-refused")
    amount = driver.find_element(By.ID, "m-attendance")
    amount.clear()
    amount.send_keys("120")
    driver.execute_script("arguments[0].value = '2023-05-20'", driver.find_element(By.ID, "date"))
    submit(driver.find_element(By.CSS_SELECTOR, "form.record button[type=submit]"))
    check("已保存" in text() and "果树修剪技术培训" in text(), "the activity is saved")
    activity = driver.find_element(By.ID, "activity-id").text
    driver.find_element(By.ID, "amount").send_keys("35")
    submit(driver.find_element(By.CSS_SELECTOR, "form[action$='/attend'] button"))
    check("参加人次 155（+35）" in text(), "attendance added")
    shot("clerk-activity")
    # The list, then the sync button; the outcome is shown.
    driver.get(UI + "/")
    check("果树修剪技术培训" in text() and "未同步的修改" in text(), "the list and the status")
    submit(driver.find_element(By.ID, "sync-button"))
    check("推送" in driver.find_element(By.ID, "sync-summary").text, "the sync's outcome")
    shot("clerk-synced")
    driver.get(UI + "/?lang=en")
    check("Record an activity" in text() and "Unsynced changes" in text(), "the clerk's page in English")
    shot("clerk-en")
    # The clerk hands in 2023 from the page, then syncs: the county sees it submitted.
    driver.get(UI + "/?lang=zh")
    submit(driver.find_element(By.CSS_SELECTOR, "form[action='/submit'] button"))
    check("2023: 已提交待批准" in driver.find_element(By.ID, "years").text, "the year handed in, waiting for the county")
    submit(driver.find_element(By.ID, "sync-button"))

    # The county: a wrong token is refused; an admin token logs in.
    driver.get(HUB + "/?lang=zh")
    check(driver.find_element(By.ID, "token").get_attribute("type") == "password", "the login page")
    driver.find_element(By.ID, "token").send_keys("not-a-token")
    submit(driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button"))
    check("令牌不对或已吊销" in text(), "a wrong token is refused")
    check(not driver.get_cookies() or all(c["name"] != "ktx_session" for c in driver.get_cookies()), "no session for a wrong token")
    driver.find_element(By.ID, "token").send_keys(admin)
    submit(driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button"))
    session = [c for c in driver.get_cookies() if c["name"] == "ktx_session"]
    check(session and session[0]["httpOnly"] and session[0].get("sameSite") == "Strict", "the session cookie is HttpOnly, SameSite=Strict")
    check(admin not in driver.current_url, "the token is not in the address")
    driver.get(HUB + "/?year=2023")
    check("科技下乡活动" in text() and "155人次" in text(), "the overview shows the township's new total")
    check(driver.find_elements(By.TAG_NAME, "meter"), "bars against the targets")
    shot("county-overview")
    # The year's close on the overview: the county approves what the township handed in.
    card = driver.find_element(By.ID, "year-close").text
    check("河西镇" in card and "已提交待批准" in card, "the township's year, submitted")
    submit(driver.find_element(By.XPATH, "//form[@action='/year'][input[@name='action'][@value='approve']]//button"))
    check("河西镇 已批准" in driver.find_element(By.ID, "year-close").text, "approved from the dashboard")
    shot("county-year-approved")
    driver.get(HUB + "/townships")
    row = driver.find_element(By.CSS_SELECTOR, "#township-totals tbody tr").text
    check("河西镇" in row and "155" in row, "the township's totals")
    pcs = driver.find_element(By.ID, "pcs").text
    check(activity[:12] in pcs and time.strftime("%Y-%m-%d") in pcs, "the PC and its last push")
    shot("county-townships")
    driver.get(HUB + f"/activities/{activity}")
    check("参加人次 +35" in text() and "参加人次 +120" in text(), "the activity's history")
    shot("county-activity")
    # The self-evaluation form: shown, and downloaded as Excel with the session.
    driver.get(HUB + "/form?year=2023")
    check("自评" in text() and "科技服务人次" in text(), "the self-evaluation form")
    shot("county-form")
    driver.get(HUB + "/")
    download = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch('/form.xlsx?year=2023').then(r => r.arrayBuffer().then(b => done([r.status, r.headers.get('content-type'), b.byteLength,
            new TextDecoder().decode(new Uint8Array(b).slice(0, 2))])));
    """)
    check(download[0] == 200 and "spreadsheetml" in download[1] and download[2] > 2000 and download[3] == "PK", f"the xlsx download {download[:3]}")
    # An admin enrols a township with a new token (shown once) and revokes it.
    driver.get(HUB + "/admin")
    Select(driver.find_element(By.ID, "role")).select_by_value("township")
    driver.find_element(By.ID, "new-township").send_keys("新城镇")
    submit(driver.find_element(By.CSS_SELECTOR, "form[action='/admin/tokens'] button"))
    secret = driver.find_element(By.ID, "new-token").text
    check(len(secret) > 20, "the new token is shown once")
    shot("county-admin")
    driver.get(HUB + "/admin")
    check(secret not in driver.page_source, "the token is not shown again")
    submit(driver.find_elements(By.CSS_SELECTOR, "form[action$='/revoke'] button")[-1])
    check("已吊销" in driver.find_element(By.ID, "tokens").text, "the token is revoked")
    # The county enters a manual indicator value and its 偏差原因: operations every replica pulls.
    driver.get(HUB + "/?year=2023&lang=zh")
    submit(driver.find_element(By.CSS_SELECTOR, "a[aria-label='填报 科技特派员覆盖率']"))
    check(driver.find_element(By.TAG_NAME, "h1").text == "科技特派员覆盖率", "the indicator's form")
    driver.find_element(By.ID, "value").send_keys("92")
    driver.find_element(By.ID, "note").send_keys("两个村尚无特派员，明年补派")
    shot("county-indicator")
    submit(driver.find_element(By.CSS_SELECTOR, "form[action='/indicator'] button"))
    check("已保存指标" in text() and "92.0%" in text() and "两个村尚无特派员" in text(), "the value and the reasons are shown")
    driver.get(UI + "/")
    submit(driver.find_element(By.ID, "sync-button"))
    check("拉取" in driver.find_element(By.ID, "sync-summary").text, "the clerk pulls again")
    report = ktx("report", "--year", "2023", "--form", "self-evaluation")
    check("两个村尚无特派员，明年补派" in report and "92" in report, "the clerk's own form has the county's value and reasons")
    for lang, pages in (("en", (("/", "Overview"), ("/townships", "Townships"), ("/activities", "Activities"), ("/admin", "Tokens"))),
                        ("zh", (("/", "总览"), ("/townships", "乡镇"), ("/activities", "活动"), ("/admin", "令牌管理")))):
        for path, heading in pages:
            driver.get(HUB + path + "?lang=" + lang)
            check(driver.find_element(By.TAG_NAME, "h1").text == heading and driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang,
                  f"{path} in {lang}")
    for lang, pages in (("en", (("/", "Records"), ("/new", "Record an activity"), (f"/a/{activity}", "果树修剪技术培训"))),
                        ("zh", (("/", "活动记录"), ("/new", "登记活动")))):
        for path, heading in pages:
            driver.get(UI + path + "?lang=" + lang)
            check(driver.find_element(By.TAG_NAME, "h1").text == heading and driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang,
                  f"ktx ui {path} in {lang}")
    driver.get(HUB + "/?lang=en")
    check("Overview" in text() and "Self-evaluation form" in text() and "Download Excel" in text(), "the dashboard in English")
    html_download = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch('/form?year=2023&download=1').then(r => r.text().then(t => done([r.status, r.headers.get('content-disposition'), t.includes('科技服务人次')])));
    """)
    check(html_download[0] == 200 and "attachment" in html_download[1] and html_download[2], f"the form downloaded as HTML {html_download[:2]}")
    shot("county-en")

    # Another site's page posts to the hub and to the clerk's form: refused, nothing changed.
    tokens_before = ktx("hub", "token", "list", "--db", hub_db).count("\n")
    driver.get(f"http://127.0.0.1:{evil_port}/hub")
    time.sleep(1)
    check("跨站" in text() or "cross-site" in text(), "a cross-site post to the hub is refused")
    check(ktx("hub", "token", "list", "--db", hub_db).count("\n") == tokens_before, "no token was made")
    driver.get(f"http://127.0.0.1:{evil_port}/ui")
    time.sleep(1)
    check("跨站" in text() or "cross-site" in text(), "a cross-site post to the clerk's form is refused")
    check("forged" not in ktx("list"), "nothing was recorded")
    shot("cross-site-refused")

    # `ktx dashboard`: the same pages from a county replica, read-only, no login, this PC only.
    county_env = dict(ENV, KTX_DB=os.path.join(WORK, "county.db"), KTX_COUNTY_TOKEN=county)
    ktx("init", "--county", env=county_env)
    ktx("remote", "add", "county", HUB, "--token-env", "KTX_COUNTY_TOKEN", env=county_env)
    ktx("sync", env=county_env)
    dash_port = free_port()
    start("dashboard", "--no-open", "--port", str(dash_port), env=county_env)
    DASH = f"http://127.0.0.1:{dash_port}"
    wait_for(DASH + "/")
    driver.get(DASH + "/townships?lang=zh")
    check("只读" in text() and "155" in driver.find_element(By.ID, "township-totals").text, "ktx dashboard shows the county replica's totals")
    check(not driver.find_elements(By.ID, "token"), "ktx dashboard needs no login")
    shot("dashboard-local")
    driver.get(DASH + "/?year=2023")
    check("92.0%" in text() and not driver.find_elements(By.CSS_SELECTOR, "a[href^='/indicator']"), "read-only: values shown, no entry")
    try:
        urllib.request.urlopen(urllib.request.Request(DASH + "/", headers={"Host": "attacker.example"}), timeout=5)
        check(False, "a request for another host name is refused")
    except urllib.error.HTTPError as e:
        check(e.code == 421, f"a request for another host name is refused ({e.code})")

    # A session expires (this hub's sessions last 3 seconds).
    driver.get(SHORT + "/?lang=zh")
    driver.find_element(By.ID, "token").send_keys(county)
    submit(driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button"))
    check("总览" in driver.find_element(By.TAG_NAME, "h1").text, "logged in on the short-session hub")
    time.sleep(4)
    driver.get(SHORT + "/townships")
    check(driver.find_elements(By.ID, "token"), "the expired session shows the login page")
    shot("session-expired")
finally:
    driver.quit()
    evil.shutdown()
    for p in processes:
        p.terminate()
    for p in processes:
        p.wait(timeout=10)

print(f"browser-test: {checks} checks passed in Chromium; screenshots in {SHOTS}")
