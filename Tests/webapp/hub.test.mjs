// A browser's replica against the real hub (`ktx hub serve`), driven in node with the same
// core (ktx-core.wasm) and WebCrypto as the page: it records offline, pushes signed runs the
// hub takes through its one acceptance rule, a PC pulls and verifies them, and a browser, a PC
// and a second browser that change one activity apart converge. Run by .ci/run:
//   KTX=.build/debug/ktx KTX_WASM=.build/wasm/ktx-core.wasm node --test Tests/webapp/hub.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { loadCore } from '../../Sources/Web/App/ktx-core.js';
import { PageReplica, MemoryStore, ReplicaError } from '../../Sources/Web/App/replica.js';

const KTX = process.env.KTX ?? '.build/debug/ktx';
const wasm = fs.readFileSync(process.env.KTX_WASM ?? '.build/wasm/ktx-core.wasm');
const catalog = JSON.parse(fs.readFileSync(new URL('../../Schema/catalog.json', import.meta.url), 'utf8'));
const metrics = catalog.metrics.map((m) => ({ code: m.code, scale: m.scale }));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ktx-webapp-'));
const hubDB = path.join(work, 'hub.db');
let hub, hubURL, townshipToken, countyToken;

function ktx(args, db) {
  return execFileSync(KTX, args, { env: { ...process.env, KTX_DB: db ?? '', LANG: 'C.UTF-8' }, encoding: 'utf8' }).trim();
}

async function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
  });
}

before(async () => {
  townshipToken = ktx(['hub', 'token', 'create', '--db', hubDB, '--role', 'township', '--township', '河西镇']);
  countyToken = ktx(['hub', 'token', 'create', '--db', hubDB, '--role', 'county']);
  const port = await freePort();
  hubURL = `http://127.0.0.1:${port}`;
  hub = spawn(KTX, ['hub', 'serve', '--db', hubDB, '--port', String(port)], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${hubURL}/healthz`)).ok) return; } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the hub did not start');
});

after(() => { hub?.kill(); fs.rmSync(work, { recursive: true, force: true }); });

async function browser(store = new MemoryStore()) {
  const core = await loadCore(wasm);
  return { page: await PageReplica.create(core, store, { township: '河西镇', hub: hubURL, token: townshipToken, metrics }), store };
}

function pc(name, { county = false } = {}) {
  const db = path.join(work, `${name}.db`);
  ktx(county ? ['init', '--county'] : ['init', '--township', '河西镇'], db);
  const env = county ? countyToken : townshipToken;
  process.env[`KTX_TOKEN_${name}`] = env;
  ktx(['remote', 'add', 'county', hubURL, '--token-env', `KTX_TOKEN_${name}`], db);
  return db;
}

function listed(db) {
  return JSON.parse(ktx(['list', '--format', 'json'], db));
}

test('a browser records offline, syncs, and the county\'s PC pulls and verifies its records', async () => {
  const { page, store } = await browser();
  const id = await page.record({ kind: 'rural', date: '2023年4月1日', title: '果树修剪培训', venue: '河西村',
                                 quantities: { attendance: '120', cost: '1,234.50' } });
  assert.equal(page.unsent(), 7);
  const synced = await page.sync();
  assert.equal(synced.pushed, 7);
  assert.equal(page.unsent(), 0);

  const county = pc('county', { county: true });
  ktx(['sync'], county);
  const row = listed(county).find((a) => a.id === id);
  assert.ok(row, `the county lists ${id}`);
  assert.equal(row.title, '果树修剪培训');
  assert.equal(row.date, '2023-04-01');
  assert.equal(row.township, '河西镇');
  // The hub lists the browser as one of 河西镇's PCs.
  const status = JSON.parse(ktx(['hub', 'status', '--db', hubDB, '--format', 'json']));
  assert.equal(status.find((t) => t.township === '河西镇')?.pcs, 1);
  // The county's replica verified the browser's signed run: its check finds nothing wrong.
  ktx(['check'], county);

  // Reopened from its store (a restart), the browser holds what it had.
  const again = await PageReplica.open(await loadCore(wasm), store);
  assert.deepEqual(again.activities().map((a) => a.id), [id]);
  assert.equal(again.activities()[0].quantities.attendance, 120);
});

test('an entry the rules refuse is refused in the browser, and nothing is kept', async () => {
  const { page, store } = await browser();
  const runs = async () => (await store.keys()).filter((k) => k.startsWith('run/')).length;
  await assert.rejects(page.record({ kind: 'rural', date: '2023-02-30', title: 'x' }), (e) => e instanceof ReplicaError && e.code === 'bad-date');
  await assert.rejects(page.record({ kind: 'rural', date: '2023-04-01', title: '' }), (e) => e.code === 'bad-text');
  await assert.rejects(page.record({ kind: 'rural', date: '2023-04-01', title: 'x', quantities: { attendance: '12人' } }), (e) => e.code === 'bad-number');
  assert.equal(await runs(), 0);
  assert.equal(page.unsent(), 0);
});

test('a browser, a PC and a second browser change one activity apart and converge', async () => {
  const { page: first } = await browser();
  const id = await first.record({ kind: 'rural', date: '2023-05-01', title: '原标题', quantities: { attendance: '10' } });
  await first.sync();
  const township = pc('hexi');
  ktx(['sync'], township);
  const { page: second } = await browser();
  await second.sync();
  assert.ok(second.activities().some((a) => a.id === id), 'the second browser pulled the activity');

  // Apart: each changes the title and adds attendance.
  await first.change(id, { fields: { title: '浏览器一改' }, add: { attendance: '5' } }, Date.now());
  ktx(['edit', id, '--title', '电脑改'], township);
  ktx(['attend', id, '7'], township);
  await second.change(id, { fields: { title: '浏览器二改' }, add: { attendance: '3' } }, Date.now() + 1000);

  for (let round = 0; round < 2; round++) {
    await first.sync();
    ktx(['sync'], township);
    await second.sync();
  }
  const pcRow = listed(township).find((a) => a.id === id);
  const a = first.activities().find((x) => x.id === id);
  const b = second.activities().find((x) => x.id === id);
  assert.equal(a.quantities.attendance, 25);
  assert.deepEqual(a, b);
  assert.equal(pcRow.title, a.fields.title);
  assert.equal(Number(pcRow.attendance), 25);
});

test('a run whose signature was altered is refused by the hub, and nothing of it is stored', async () => {
  const { page, store } = await browser();
  await page.record({ kind: 'rural', date: '2023-06-01', title: '被改动的记录' });
  const key = (await store.keys()).find((k) => k.startsWith(`run/${page.identity.replica}/`));
  const run = await store.get(key);
  run.seal.signature = (run.seal.signature[0] === '0' ? '1' : '0') + run.seal.signature.slice(1);
  await store.put(key, run);
  await assert.rejects(page.sync(), (e) => e instanceof ReplicaError && e.code === 'bad-signature');
  assert.equal(page.unsent(), 4);
  const county = path.join(work, 'county.db');
  ktx(['sync'], county);
  assert.ok(!listed(county).some((a) => a.title === '被改动的记录'));
});

test('records written while the browser\'s clock ran days ahead reach the county once the hub refuses their dates', async () => {
  const { page, store } = await browser();
  const ahead = Date.now() + 3 * 24 * 3600 * 1000;
  const id = await page.record({ kind: 'rural', date: '2023-07-01', title: '时钟快了三天', quantities: { attendance: '30' } }, ahead);
  await page.change(id, { add: { attendance: '5' } }, ahead + 1000);
  const synced = await page.sync();
  assert.equal(synced.pushed, 6);
  assert.equal(page.unsent(), 0);
  const county = path.join(work, 'county.db');
  ktx(['sync'], county);
  const row = listed(county).find((a) => a.id === id);
  assert.ok(row, 'the county holds the record');
  assert.equal(Number(row.attendance), 35);
  // Restarted, the browser holds the runs as sealed again.
  const again = await PageReplica.open(await loadCore(wasm), store);
  assert.equal(again.activities().find((a) => a.id === id)?.quantities.attendance, 35);
  assert.equal(again.unsent(), 0);
  ktx(['check'], county);
});

test('a browser keeps the hub\'s performance tables and reports its township with no network', async () => {
  const store = new MemoryStore();
  const { page } = await browser(store);
  assert.equal(page.report(2023), null, 'no tables before the first sync');
  await page.record({ kind: 'rural', date: '2023-05-20', title: '科技下乡', quantities: { attendance: '2100', beneficiaries: '300' } });
  await page.sync();
  assert.deepEqual(page.reportYears().slice(0, 2), [2023, 2020]);
  // Reopened from its store with no hub at all: the tables are kept, the report the same.
  const reopened = await PageReplica.open(await loadCore(wasm), store);
  const report = reopened.report(2023);
  const rural = report.projects.find((p) => p.key === 'rural');
  // The township's live 科技下乡 activities of 2023, added up here (earlier tests recorded some too).
  const live = reopened.activities().filter((a) => !a.deleted && a.fields.kind === 'rural' && a.fields.date?.startsWith('2023-'));
  const attendance = live.reduce((sum, a) => sum + (a.quantities.attendance ?? 0), 0);
  const served = rural.indicators.find((i) => i.name === '科技服务人次');
  assert.ok(attendance >= 2100);
  assert.deepEqual([served.actual, served.status, rural.activities], [String(attendance), 'met', live.length]);
  assert.equal(rural.indicators.find((i) => i.name === '科技特派员覆盖率').status, 'pending');
  // Through the first quarter only what is dated January to March counts.
  const early = live.filter((a) => a.fields.date < '2023-04').length;
  assert.equal(reopened.report(2023, 3).projects.find((p) => p.key === 'rural').activities, early);
  // Tables a hub of another version serves are refused by the core in words, not taken.
  reopened.targets = [{ year: 2023, projects: [{ key: 'x' }] }];
  assert.throws(() => reopened.report(2023), (e) => e instanceof ReplicaError && e.code === 'bad-targets');
});
