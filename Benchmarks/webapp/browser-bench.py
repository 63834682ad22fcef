#!/usr/bin/env python3
"""The offline app's replica in Chromium, with IndexedDB: record N activities and sync them to
`ktx hub serve`, timed in the page; prints the figures and the page's memory (JS heap and the
core's wasm memory). Not a test.

Usage: python3 Benchmarks/webapp/browser-bench.py [N] [KTX]   (after scripts/build-wasm.sh)
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
from selenium.webdriver.chrome.service import Service

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
KTX = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else ".build/release/ktx")
WORK = tempfile.mkdtemp(prefix="ktx-browser-bench-")
env = dict(os.environ, LANG="C.UTF-8", HOME=WORK, KTX_DB=os.path.join(WORK, "none.db"))
hub_db = os.path.join(WORK, "hub.db")
token = subprocess.run([KTX, "hub", "token", "create", "--db", hub_db, "--role", "township", "--township", "河西镇"],
                       env=env, check=True, capture_output=True, text=True).stdout.strip()
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
hub = subprocess.Popen([KTX, "hub", "serve", "--db", hub_db, "--port", str(port)], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
HUB = f"http://127.0.0.1:{port}"
for _ in range(100):
    try:
        urllib.request.urlopen(HUB + "/healthz", timeout=1)
        break
    except Exception:
        time.sleep(0.1)

options = webdriver.ChromeOptions()
for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--enable-precise-memory-info"):
    options.add_argument(arg)
options.binary_location = "/usr/bin/chromium"
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.set_script_timeout(600)
try:
    driver.get(HUB + "/app/")
    result = driver.execute_async_script("""
        const [n, token, done] = arguments;
        (async () => {
          const { loadCore } = await import('/app/ktx-core.js');
          const { PageReplica } = await import('/app/replica.js');
          const { IndexedStore } = await import('/app/store.js');
          const catalog = await (await fetch('/app/catalog.json')).json();
          const core = await loadCore(await (await fetch('/app/ktx-core.wasm')).arrayBuffer());
          const store = await IndexedStore.open('ktx-bench');
          const page = await PageReplica.create(core, store, { township: '河西镇', hub: location.origin, token,
            metrics: catalog.metrics.map((m) => ({ code: m.code, scale: m.scale })) });
          let t = performance.now();
          for (let i = 0; i < n; i++) {
            await page.record({ kind: 'rural', date: '2023-05-20', title: `培训 ${i}`, venue: '河西村',
                                quantities: { attendance: String(20 + (i % 50)) } });
          }
          const recordMs = performance.now() - t;
          t = performance.now();
          const synced = await page.sync();
          const syncMs = performance.now() - t;
          t = performance.now();
          const reopened = await PageReplica.open(await loadCore(await (await fetch('/app/ktx-core.wasm')).arrayBuffer()), store);
          const reopenMs = performance.now() - t;
          // The township's performance report of the year over them, 5 times (the median).
          const reportTimes = [];
          let projects = 0;
          for (let r = 0; r < 5; r++) {
            t = performance.now();
            projects = page.report(2023).projects.length;
            reportTimes.push(performance.now() - t);
          }
          const reportMs = reportTimes.sort((a, b) => a - b)[2];
          done({ recordMs, syncMs, pushed: synced.pushed, reopenMs, reportMs, projects, reopenedActivities: reopened.activities().length,
                 jsHeap: performance.memory?.usedJSHeapSize, coreMemory: core.memoryBytes });
        })().catch((e) => done({ error: String(e) }));
    """, N, token)
    print(json.dumps(result))
    if "error" in result:
        sys.exit(1)
    print(f"| browser (Chromium, IndexedDB): record {N} offline | {result['recordMs']:.0f} ms | {result['recordMs'] / N:.2f} ms each |")
    print(f"| browser: sync ({result['pushed']} operations pushed) | {result['syncMs']:.0f} ms | |")
    print(f"| browser: reopen (take every run from IndexedDB again) | {result['reopenMs']:.0f} ms | {result['reopenedActivities']} activities |")
    print(f"| browser: the year's performance report ({result['projects']} projects) | {result['reportMs']:.1f} ms | median of 5 |")
    print(f"| page memory: JS heap {result['jsHeap']} bytes, core (wasm) {result['coreMemory']} bytes | | |")
finally:
    driver.quit()
    hub.terminate()
