// The page's store: one IndexedDB object store of keys and values (the replica's identity,
// with its non-extractable private key, and its runs). A full quota or storage the browser
// refuses is a StoreError with a code the page words.

export class StoreError extends Error {
  constructor(code, cause) {
    super(code);
    this.code = code;
    this.cause = cause;
  }
}

function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function wrap(error) {
  if (error?.name === 'QuotaExceededError') return new StoreError('quota', error);
  return new StoreError('storage', error);
}

export class IndexedStore {
  static async open(name = 'ktx') {
    if (!globalThis.indexedDB) throw new StoreError('no-storage');
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => open.result.createObjectStore('kv');
    try {
      return new IndexedStore(await request(open));
    } catch (error) {
      throw wrap(error);
    }
  }

  constructor(db) { this.db = db; }

  async #run(mode, body) {
    try {
      const tx = this.db.transaction('kv', mode);
      const result = await request(body(tx.objectStore('kv')));
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      });
      return result;
    } catch (error) {
      throw wrap(error);
    }
  }

  get(key) { return this.#run('readonly', (s) => s.get(key)); }
  put(key, value) { return this.#run('readwrite', (s) => s.put(value, key)); }
  delete(key) { return this.#run('readwrite', (s) => s.delete(key)); }
  /** Puts every `[key, value]` in one transaction: all are kept, or none. */
  putMany(entries) {
    return this.#run('readwrite', (s) => {
      let last;
      for (const [key, value] of entries) last = s.put(value, key);
      return last;
    });
  }
  keys() { return this.#run('readonly', (s) => s.getAllKeys()); }
  /** The values of every key that starts with `prefix`, in key order: one read. */
  values(prefix) {
    return this.#run('readonly', (s) => s.getAll(IDBKeyRange.bound(prefix, prefix + '\uffff')));
  }
}
