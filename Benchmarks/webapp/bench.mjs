// The offline app's replica beside the CLI: recording N activities offline and syncing them to
// `ktx hub serve`, in node with the same core (ktx-core.wasm) and WebCrypto the page uses, then
// the CLI doing the same (N `ktx record` commands, and one `ktx import` of N rows), each followed
// by `ktx sync`. Prints one table; nothing here is a test.
//   node Benchmarks/webapp/bench.mjs [N] [KTX]   (after scripts/build-wasm.sh; KTX defaults to .build/release/ktx)
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { loadCore } from '../../Sources/Web/App/ktx-core.js';
import { PageReplica, MemoryStore } from '../../Sources/Web/App/replica.js';

const N = Number(process.argv[2] ?? 1000);
const KTX = process.argv[3] ?? '.build/release/ktx';
const wasm = fs.readFileSync('.build/wasm/ktx-core.wasm');
const catalog = JSON.parse(fs.readFileSync('Schema/catalog.json', 'utf8'));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ktx-webapp-bench-'));
const hubDB = path.join(work, 'hub.db');
const ktx = (args, db) => execFileSync(KTX, args, { env: { ...process.env, KTX_DB: db ?? '', LANG: 'C.UTF-8' }, encoding: 'utf8' }).trim();
const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;

const token = ktx(['hub', 'token', 'create', '--db', hubDB, '--role', 'township', '--township', '河西镇']);
const port = await new Promise((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });
const hubURL = `http://127.0.0.1:${port}`;
const hub = spawn(KTX, ['hub', 'serve', '--db', hubDB, '--port', String(port)], { stdio: 'ignore' });
for (let i = 0; i < 100; i++) { try { if ((await fetch(`${hubURL}/healthz`)).ok) break; } catch {} await new Promise((r) => setTimeout(r, 100)); }

const rows = [];
try {
  const coreLoad = process.hrtime.bigint();
  const core = await loadCore(wasm);
  const loadMs = ms(coreLoad);
  const page = await PageReplica.create(core, new MemoryStore(), { township: '河西镇', hub: hubURL, token,
    metrics: catalog.metrics.map((m) => ({ code: m.code, scale: m.scale })) });
  let t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    await page.record({ kind: 'rural', date: '2023-05-20', title: `培训 ${i}`, venue: '河西村', quantities: { attendance: String(20 + (i % 50)) } });
  }
  rows.push(['browser replica: record offline (one sealed run each)', N, ms(t)]);
  t = process.hrtime.bigint();
  const synced = await page.sync();
  rows.push([`browser replica: sync (push ${synced.pushed} operations)`, 1, ms(t)]);
  rows.push(['browser replica: core memory after (bytes)', 1, core.memoryBytes]);
  rows.push(['ktx-core.wasm: instantiate', 1, loadMs]);

  const pc = path.join(work, 'pc.db');
  ktx(['init', '--township', '河西镇'], pc);
  process.env.KTX_BENCH_TOKEN = token;
  ktx(['remote', 'add', 'county', hubURL, '--token-env', 'KTX_BENCH_TOKEN'], pc);
  t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) ktx(['record', '--kind', 'rural', '--date', '2023-05-20', '--title', `电脑 ${i}`, '--venue', '河西村', '--attendance', String(20 + (i % 50))], pc);
  rows.push(['CLI: ktx record, one command each', N, ms(t)]);
  t = process.hrtime.bigint();
  ktx(['sync'], pc);
  rows.push(['CLI: ktx sync after them', 1, ms(t)]);

  const pc2 = path.join(work, 'pc2.db');
  ktx(['init', '--township', '河西镇'], pc2);
  ktx(['remote', 'add', 'county', hubURL, '--token-env', 'KTX_BENCH_TOKEN'], pc2);
  const csv = path.join(work, 'rows.csv');
  fs.writeFileSync(csv, 'kind,date,title,venue,attendance\n' + Array.from({ length: N }, (_, i) => `rural,2023-05-20,导入 ${i},河西村,${20 + (i % 50)}`).join('\n') + '\n');
  t = process.hrtime.bigint();
  ktx(['import', csv], pc2);
  rows.push(['CLI: ktx import of the same rows', N, ms(t)]);
  t = process.hrtime.bigint();
  ktx(['sync'], pc2);
  rows.push(['CLI: ktx sync after the import', 1, ms(t)]);
} finally {
  hub.kill();
  fs.rmSync(work, { recursive: true, force: true });
}
console.log(`| what | count | total | per item |\n|---|---:|---:|---:|`);
for (const [what, count, value] of rows) {
  const isBytes = what.includes('bytes');
  console.log(`| ${what} | ${count} | ${isBytes ? value : value.toFixed(0) + ' ms'} | ${isBytes ? '' : (value / count).toFixed(2) + ' ms'} |`);
}
