// The wasm core answers every conformance vector exactly as the Swift core did
// (Tests/SyncCoreTests/CoreCallsTests.swift writes them). Run by .ci/run:
//   KTX_WASM=.build/wasm/ktx-core.wasm KTX_CONFORMANCE=.build/conformance.json node --test Tests/webapp
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { loadCore } from '../../Sources/Web/App/ktx-core.js';

const wasmPath = process.env.KTX_WASM ?? '.build/wasm/ktx-core.wasm';
const vectorsPath = process.env.KTX_CONFORMANCE ?? '.build/conformance.json';

test('the wasm core gives the Swift core\'s answer to every conformance vector', async () => {
  const core = await loadCore(fs.readFileSync(wasmPath));
  const vectors = JSON.parse(fs.readFileSync(vectorsPath, 'utf8'));
  assert.ok(vectors.length >= 50, `only ${vectors.length} vectors`);
  const calls = new Set();
  for (const { request, answer } of vectors) {
    assert.equal(core.callText(request), answer, `request ${request.slice(0, 200)}`);
    try { calls.add(JSON.parse(request).call); } catch { calls.add('(not json)'); }
  }
  for (const call of ['tick', 'check', 'merge', 'amount', 'date', 'seal-message', 'unpack', 'open', 'record', 'change', 'delete', 'report', '(not json)']) {
    assert.ok(calls.has(call), `no vector for ${call}`);
  }
});

test('a thousand calls leave the core\'s memory bounded', async () => {
  const core = await loadCore(fs.readFileSync(wasmPath));
  const vectors = JSON.parse(fs.readFileSync(vectorsPath, 'utf8'));
  const merge = vectors.find((v) => v.request.includes('"merge"'));
  core.callText(merge.request);
  const before = core.memoryBytes;
  for (let i = 0; i < 1000; i++) core.callText(merge.request);
  assert.ok(core.memoryBytes <= before * 2, `memory grew from ${before} to ${core.memoryBytes} bytes`);
});

test('a request the core does not take is answered with an error, not a crash', async () => {
  const core = await loadCore(fs.readFileSync(wasmPath));
  assert.deepEqual(core.call({ call: 'merge' }), { error: 'bad-request' });
  assert.deepEqual(JSON.parse(core.callText('\u0000\u0001')), { error: 'malformed-json' });
  assert.deepEqual(core.call({ call: 'check', replica: '0'.repeat(32), rows: [[1, 'x', 'y', 9, '', null]] }), { verdicts: ['malformed'] });
});
