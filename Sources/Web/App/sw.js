// The offline app's service worker: every asset of /app/ is kept in a cache named after the
// app's version, so the app opens and records with no network. The sync API (/v1/) always
// goes to the network: its answers are never cached.
const VERSION = '__KTX_APP_VERSION__';
const ASSETS = ['/app/', 'offline.js', 'offline.css', 'store.js', 'replica.js', 'ktx-core.js', 'ktx-core.wasm', 'catalog.json', 'manifest.webmanifest', 'icon.svg'].map((f) => f.startsWith('/') ? f : '/app/' + f);

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n !== VERSION).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || !url.pathname.startsWith('/app/')) return;
  event.respondWith(caches.open(VERSION).then(async (cache) => {
    const kept = await cache.match(event.request, { ignoreSearch: true });
    if (kept) return kept;
    const answer = await fetch(event.request);
    if (answer.ok) cache.put(event.request, answer.clone());
    return answer;
  }));
});
