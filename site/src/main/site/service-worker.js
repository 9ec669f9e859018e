// The offline service worker: serves the page and both engine builds from a versioned cache, so after one visit the
// page loads with the server stopped (the model itself comes from the model store, model-store.js).
//
// precache-manifest.js is written by the site build (dev.kiln.sitebuild.PrecacheList): every file of the page and
// the engine with its SHA-256 (as a Subresource-Integrity string, checked by fetch while installing) and a version
// derived from all of them. Any changed file changes that script, so the browser installs a new worker version: it
// downloads the new files into a new cache 'kiln-site-<version>' while the old version keeps serving, then waits.
// The page (offline.js) offers the update; on 'skip-waiting' the new version activates, deletes the old caches and
// takes over, and the page reloads once — page and engine always come from one version.
//
// Routes (GET, inside this worker's scope): precached files and the scope root (index.html) → cache first;
// api/models and models.json → network first, the last good answer kept for offline; everything else (models, shards
// with Range requests) → the network, untouched.
importScripts('precache-manifest.js');

const { version, files } = self.KILN_PRECACHE;
const SITE = 'kiln-site-' + version;
const DATA = 'kiln-data';
const LISTS = ['api/models', 'models.json']; // the Java server's model list, or a static export's
const scope = new URL(self.registration.scope);
const urlOf = (path) => new URL(path, scope).href;
const precached = new Set(files.map(([path]) => urlOf(path)));

self.addEventListener('install', (ev) => ev.waitUntil((async () => {
  const cache = await caches.open(SITE);
  await Promise.all(files.map(async ([path, integrity]) => {
    const res = await fetch(urlOf(path), { cache: 'no-cache', integrity });
    if (!res.ok) throw new Error(`precache ${path}: HTTP ${res.status}`);
    await cache.put(urlOf(path), res);
  }));
  // the model list the page fetched before this worker controlled it: kept for the first offline visit
  const data = await caches.open(DATA);
  for (const list of LISTS) {
    try {
      const res = await fetch(urlOf(list), { cache: 'no-cache' });
      if (res.ok) await data.put(urlOf(list), res);
    } catch { /* not served here */ }
  }
})()));

self.addEventListener('activate', (ev) => ev.waitUntil((async () => {
  for (const key of await caches.keys()) {
    if (key.startsWith('kiln-site-') && key !== SITE) await caches.delete(key);
  }
  await self.clients.claim();
})()));

self.addEventListener('message', (ev) => {
  if (ev.data === 'skip-waiting') self.skipWaiting();
});

self.addEventListener('fetch', (ev) => {
  const req = ev.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (!url.href.startsWith(scope.href)) return;
  const bare = url.origin + url.pathname;
  const key = bare === scope.href ? urlOf('index.html') : bare;
  if (precached.has(key)) {
    ev.respondWith(caches.open(SITE).then((c) => c.match(key)).then((hit) => hit || fetch(req)));
  } else if (LISTS.some((list) => bare === urlOf(list))) {
    ev.respondWith(networkFirst(req, bare));
  }
});

async function networkFirst(req, key) {
  const cache = await caches.open(DATA);
  try {
    const res = await fetch(req);
    if (res.ok) await cache.put(key, res.clone());
    return res;
  } catch (e) {
    const hit = await cache.match(key);
    if (hit) return hit;
    throw e;
  }
}
