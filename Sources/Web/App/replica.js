// A browser's replica: its identity and Ed25519 key (WebCrypto, the private key never
// extractable), its sealed runs kept in a store (IndexedDB in the page, a Map in tests), and
// sync with the hub. Every rule (what an entry becomes, the acceptance rule, the merge, the
// packed forms, the bytes a seal signs) is the shared core's (ktx-core.wasm); this file keeps
// only storage, crypto calls and the network.

const ORIGIN = '00'.repeat(32);

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function unhex(text) {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

/** A replica error with a stable code (the core's, or the hub's) and the hub's answer if any. */
export class ReplicaError extends Error {
  constructor(code, detail) {
    super(detail ? `${code}: ${detail}` : code);
    this.code = code;
  }
}

function expect(answer) {
  if (answer.error) throw new ReplicaError(answer.error);
  return answer;
}

export class PageReplica {
  /** @param core the loaded core (ktx-core.js); @param store {get, put, keys} async. */
  constructor(core, store, identity) {
    this.core = core;
    this.store = store;
    this.identity = identity;
    /** The performance tables the hub served at the last sync (`GET /v1/targets`), by year. */
    this.targets = [];
  }

  /** Makes a new replica of `township`: a fresh key pair, the id derived from the public key. */
  static async create(core, store, { township, hub, token, metrics }) {
    const keys = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
    const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', keys.publicKey));
    const { message } = expect(core.call({ call: 'replica-id-message', key: hex(publicKey) }));
    const replica = hex((await sha256(unhex(message))).slice(0, 16));
    const identity = { replica, township, hub, token, metrics, publicKey: hex(publicKey), privateKey: keys.privateKey,
                       clock: '0', prev: ORIGIN, pushedThrough: 0 };
    await store.put('identity', identity);
    const page = new PageReplica(core, store, identity);
    page.open();
    return page;
  }

  /** Opens a replica kept in `store`: its runs taken again through the core. */
  static async open(core, store) {
    const identity = await store.get('identity');
    if (!identity) return null;
    const page = new PageReplica(core, store, identity);
    page.open();
    page.targets = (await store.get('targets')) ?? [];
    for (const run of await store.values('run/')) {
      expect(core.call({ call: 'take', replica: run.replica, township: run.township, first: run.first, chunk: run.chunk }));
    }
    return page;
  }

  open() {
    const { replica, township, metrics, clock } = this.identity;
    expect(this.core.call({ call: 'open', replica, township, metrics, clock }));
  }

  /** Records a new activity offline; returns its id. */
  async record(entry, now = this.now()) {
    return this.#write({ call: 'record', ...entry, now });
  }

  /** Changes fields of an activity and adds to its quantities (`add: {code: text}`). */
  async change(activity, { fields = {}, add = {} }, now = this.now()) {
    return this.#write({ call: 'change', activity, fields, add, now });
  }

  async delete(activity, now = this.now()) {
    return this.#write({ call: 'delete', activity, now });
  }

  async restore(activity, now = this.now()) {
    return this.#write({ call: 'restore', activity, now });
  }

  /** The core writes the operations; this seals their run and keeps it. */
  async #write(request) {
    const written = expect(this.core.call(request));
    await this.#seal(written);
    return written.activity;
  }

  /** Seals a run of this replica's operations after the last sealed one and keeps it. */
  async #seal({ first, last, chunk }) {
    const { replica } = this.identity;
    const digest = hex(await sha256(unhex(chunk)));
    const { message } = expect(this.core.call({ call: 'seal-message', replica, first, last, prev: this.identity.prev, digest }));
    const signature = hex(new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, this.identity.privateKey, unhex(message))));
    const seal = { first, last, prev: this.identity.prev, digest, key: this.identity.publicKey, signature };
    // The run and the chain's new link are kept together: a run whose successor names the
    // wrong link would be refused everywhere.
    const identity = { ...this.identity, prev: hex(await sha256(unhex(message))) };
    await this.store.putMany([[runKey(replica, first), { replica, township: this.identity.township, first, last, chunk, seal }],
                              ['identity', identity]]);
    this.identity = identity;
  }

  /** Uses another token of the same township (the county revoked the old one); records kept. */
  async useToken(token) {
    this.identity = { ...this.identity, token };
    await this.store.put('identity', this.identity);
  }

  /** Wall time as the hub keeps it: a PC clock found far off at the last sync is corrected. */
  now() {
    return Date.now() + (this.identity.clockOffset ?? 0);
  }

  activities() {
    return expect(this.core.call({ call: 'activities' })).activities;
  }

  /** This township's activities that are not deleted (of `year` when given), by kind, with their sums. */
  totals(year) {
    return expect(this.core.call(year ? { call: 'totals', year } : { call: 'totals' })).totals;
  }

  /** The years whose performance tables this browser keeps, newest first. */
  reportYears() {
    return this.targets.map((table) => table.year).sort((a, b) => b - a);
  }

  /**
   * This township's performance report of `year` through the end of month `through` (12: the
   * year), by the rules `ktx report` uses; null when no table of that year is kept.
   */
  report(year, through = 12) {
    const targets = this.targets.find((table) => table.year === year);
    return targets ? expect(this.core.call({ call: 'report', targets, through })) : null;
  }

  /** How many of this replica's operations the hub has not acknowledged yet. */
  unsent() {
    return this.unsentCounts().operations;
  }

  /** The operations the hub has not acknowledged yet, and how many activities they change. */
  unsentCounts() {
    return expect(this.core.call({ call: 'unsent', after: this.identity.pushedThrough }));
  }

  /** Pushes what the hub lacks, then pulls what this replica lacks. */
  async sync(fetchImpl = fetch, onProgress = () => {}) {
    const hubNow = await this.#hubTime(fetchImpl);
    let pushed;
    try {
      pushed = await this.#push(fetchImpl);
    } catch (error) {
      // Written while this PC's clock ran ahead: nobody holds them yet, so they are dated
      // again by the hub's clock and sealed again, then pushed.
      if (!(error instanceof ReplicaError) || error.code !== 'future-timestamp' || hubNow === null) throw error;
      await this.#restamp(hubNow);
      pushed = await this.#push(fetchImpl);
    }
    onProgress({ pushed });
    let pulled = 0;
    for (let more = true; more;) {
      const page = await this.#pull(fetchImpl);
      pulled += page.taken;
      more = page.more;
      onProgress({ pushed, pulled });
    }
    await this.#keepTargets(fetchImpl);
    return { pushed, pulled };
  }

  /** Keeps the hub's performance tables, for reports with no network; the last ones stay if this fails. */
  async #keepTargets(fetchImpl) {
    try {
      const answer = await fetchImpl(`${this.identity.hub}/v1/targets`, { headers: this.#headers({}) });
      if (!answer.ok) return;
      const { years } = await answer.json();
      if (!Array.isArray(years)) return;
      await this.store.put('targets', years);
      this.targets = years;
    } catch {
      // The records are synced; the tables kept from the last sync serve until the next.
    }
  }

  /** The hub's clock (its version vector says it); remembers how far this PC's is off. */
  async #hubTime(fetchImpl) {
    const asked = Date.now();
    const answer = await fetchImpl(`${this.identity.hub}/v1/vector`, { headers: this.#headers({}) });
    if (!answer.ok) {
      const result = await answer.json().catch(() => ({}));
      throw new ReplicaError(result.error?.code ?? `http-${answer.status}`, result.error?.message);
    }
    const { now } = await answer.json();
    if (typeof now !== 'number') return null;
    const offset = now - Math.round((asked + Date.now()) / 2);
    // A few minutes either way is the network's and the PC's drift; more is a wrong clock.
    const corrected = Math.abs(offset) > 5 * 60_000 ? offset : 0;
    if (corrected !== (this.identity.clockOffset ?? 0)) {
      this.identity.clockOffset = corrected;
      await this.store.put('identity', this.identity);
    }
    return now;
  }

  async #restamp(hubNow) {
    const { replica, pushedThrough } = this.identity;
    const run = expect(this.core.call({ call: 'restamp', first: pushedThrough + 1, now: hubNow }));
    for (const old of await this.store.values(`run/${replica}/`)) {
      if (old.first > pushedThrough) await this.store.delete(runKey(replica, old.first));
    }
    this.identity.prev = this.identity.pushedPrev ?? ORIGIN;
    await this.#seal(run);
  }

  #headers(extra) {
    return { Authorization: `Bearer ${this.identity.token}`, 'Ktx-Replica': this.identity.replica, ...extra };
  }

  async #push(fetchImpl) {
    const { replica, pushedThrough } = this.identity;
    if (this.unsent() <= 0) return 0;
    const seals = [];
    for (const run of await this.store.values(`run/${replica}/`)) {
      if (run.last > pushedThrough) seals.push(run.seal);
    }
    if (!seals.length) return 0;
    // Only sealed runs go: an entry being sealed right now waits for the next push.
    const { body } = expect(this.core.call({ call: 'push-body', first: seals[0].first, last: seals[seals.length - 1].last, seals }));
    const answer = await fetchImpl(`${this.identity.hub}/v1/ops`, {
      method: 'POST', headers: this.#headers({ 'Content-Type': 'application/vnd.ktx.ops' }), body: unhex(body),
    });
    const result = await answer.json();
    if (!answer.ok) throw new ReplicaError(result.error?.code ?? `http-${answer.status}`, result.error?.message);
    // Where the hub's copy of the chain now ends: a restamp seals again from here.
    const last = seals[seals.length - 1];
    const { message } = expect(this.core.call({ call: 'seal-message', replica, first: last.first, last: last.last, prev: last.prev,
                                                 digest: last.digest }));
    const link = hex(await sha256(unhex(message)));
    this.identity.pushedThrough = last.last;
    this.identity.pushedPrev = link;
    await this.store.put('identity', this.identity);
    return result.accepted;
  }

  async #pull(fetchImpl) {
    const after = expect(this.core.call({ call: 'vector' })).vector;
    const answer = await fetchImpl(`${this.identity.hub}/v1/pull`, {
      method: 'POST', headers: this.#headers({ 'Content-Type': 'application/json', Accept: 'application/vnd.ktx.pull-stream' }),
      body: JSON.stringify({ after, limit: 5000, scope: 'township' }),
    });
    if (!answer.ok) {
      const result = await answer.json().catch(() => ({}));
      throw new ReplicaError(result.error?.code ?? `http-${answer.status}`, result.error?.message);
    }
    const stream = hex(new Uint8Array(await answer.arrayBuffer()));
    const { runs, more } = expect(this.core.call({ call: 'take-stream', stream }));
    let taken = 0;
    for (const run of runs) {
      if (run.taken > 0) {
        await this.store.put(runKey(run.replica, run.first), { replica: run.replica, township: run.township, first: run.first,
                                                                last: run.last, chunk: run.chunk });
        taken += run.taken;
      }
    }
    return { taken, more: more && runs.length > 0 };
  }
}

function runKey(replica, first) {
  return `run/${replica}/${String(first).padStart(12, '0')}`;
}

function byRun(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A store in memory, for tests (the page uses IndexedDB with the same six calls). */
export class MemoryStore {
  constructor() { this.map = new Map(); }
  async get(key) { return this.map.get(key); }
  async put(key, value) { this.map.set(key, value); }
  async keys() { return [...this.map.keys()]; }
  async values(prefix) { return [...this.map.keys()].filter((k) => k.startsWith(prefix)).sort(byRun).map((k) => this.map.get(k)); }
  async delete(key) { this.map.delete(key); }
  async putMany(entries) { for (const [key, value] of entries) this.map.set(key, value); }
}
