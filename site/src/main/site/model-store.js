// The model store: packaged models kept in this browser so a model downloads once, resumes where a broken download
// stopped, loads offline, and survives a lost GPU device without touching the network.
//
// Layout in the Origin Private File System (navigator.storage.getDirectory()):
//   kiln-models/shards/<sha256>.bin     a shard whose SHA-256 was checked before it got this name (content-addressed:
//                                       two models sharing a shard store it once; an updated manifest downloads only
//                                       the shards whose hash changed)
//   kiln-models/partial/<sha256>.part   bytes received so far (+ <sha256>.etag, the server's strong ETag), resumed
//                                       with Range + If-Range; renamed into shards/ only after the check
//   kiln-models/models/<id>.json        a loaded model: id, name, manifest URL and text, tokenizer URL and text,
//                                       shards — written when a load completed, read for offline loads and the list
// Browsers without OPFS keep the same layout in the Cache API (cache-dir.js: one Cache per folder; a write is kept
// in memory until it is closed, so a resumed download appends to what the last try closed). With neither there is
// no store and the engine streams shards from the network as before.
//
// The engine (webclient dev.kiln.engine.Store) calls globalThis.kilnModelStore = {text, prepare, shard, commit};
// engine-loader.js installs it in the realm the engine runs in. The page imports the list/delete API directly:
//   listCachedModels() → [{id, name, manifest_url, size_bytes, shards, complete, stored_at}]
//   deleteCachedModel(id) → bytes freed (shards other stored models use are kept);  hasModelInCache(id) → boolean
// Two tabs loading the same model: every shard is fetched and committed under a Web Lock named after its hash, so the
// second tab waits and then reads the first tab's committed copy.

const TOP = 'kiln-models';
const RETRIES = 5;          // network failures per shard before giving up (bytes received are kept)
const BACKOFF_MS = 250;     // doubled after each failure
const STALL_MS = 30000;     // a download that brings no byte for this long is broken off and resumed

import { CacheDir } from './cache-dir.js';

const opfs = typeof navigator !== 'undefined' && !!navigator.storage && typeof navigator.storage.getDirectory === 'function';
let backend = opfs ? 'opfs' : (typeof caches !== 'undefined' ? 'cache' : null);

export const available = backend !== null;

/** 'opfs' or 'cache' (the fallback), or null without a store. */
export function storeBackend() { return backend; }

/** A test hook: use the Cache API fallback in this realm even where OPFS exists. */
export function useCacheStorageForTests() { backend = 'cache'; }

function storeError(name, message) {
  const e = new Error(message);
  e.name = name;
  return e;
}

const mb = (n) => (n / 1e6).toFixed(1) + ' MB';

async function dirs() {
  const root = backend === 'opfs' ? await navigator.storage.getDirectory() : new CacheDir('kiln-store');
  const top = await root.getDirectoryHandle(TOP, { create: true });
  return {
    shards: await top.getDirectoryHandle('shards', { create: true }),
    partial: await top.getDirectoryHandle('partial', { create: true }),
    models: await top.getDirectoryHandle('models', { create: true }),
  };
}

async function fileOrNull(dir, name) {
  try {
    return await dir.getFileHandle(name);
  } catch (e) {
    if (e.name === 'NotFoundError' || e.name === 'TypeMismatchError') return null;
    throw e;
  }
}

async function remove(dir, name) {
  try { await dir.removeEntry(name); } catch (e) { if (e.name !== 'NotFoundError') throw e; }
}

async function readText(dir, name) {
  const h = await fileOrNull(dir, name);
  return h ? await (await h.getFile()).text() : null;
}

async function writeText(dir, name, text) {
  const w = await (await dir.getFileHandle(name, { create: true })).createWritable();
  await w.write(text);
  await w.close();
}

async function sha256(bytes, length) {
  const h = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes.subarray(0, length)));
  let s = '';
  for (const b of h) s += (b < 16 ? '0' : '') + b.toString(16);
  return s;
}

/** The file's bytes in an array padded to whole 4-byte words (GPU writes are whole words). */
async function readPadded(handle, size) {
  const file = await handle.getFile();
  if (file.size !== size) return null;
  const bytes = new Uint8Array((size + 3) & ~3);
  bytes.set(new Uint8Array(await file.arrayBuffer()));
  return bytes;
}

/** A model's id: the folder of its manifest (…/models/<id>/manifest.json), else the manifest's name. */
export function modelId(manifestUrl, name) {
  const parts = new URL(manifestUrl, location.href).pathname.split('/').filter((p) => p);
  const id = parts.length >= 2 && parts[parts.length - 1] === 'manifest.json' ? parts[parts.length - 2] : name;
  return decodeURIComponent(id || 'model').replace(/[^A-Za-z0-9._-]/g, '_');
}

// ---- the engine's side ----

/**
 * The text at url (a manifest or tokenizer file): from the network; when the network fails, the copy kept with a
 * stored model (so a stored model loads offline).
 */
async function text(url) {
  let failure;
  try {
    const res = await fetch(url, { cache: 'no-cache' });
    if (res.ok) return await res.text();
    failure = new Error('HTTP ' + res.status + ' ' + res.statusText);
    if (res.status !== 404 && res.status < 500) throw failure;
  } catch (e) {
    failure = e;
  }
  const d = await dirs();
  for await (const [name, h] of d.models.entries()) {
    if (h.kind !== 'file' || !name.endsWith('.json')) continue;
    const m = JSON.parse(await (await h.getFile()).text());
    if (m.manifest_url === url) return m.manifest;
    if (m.tokenizer_url === url) return m.tokenizer;
  }
  throw storeError('NetworkError', `fetch ${url}: ${failure.message} (and no stored model has this file)`);
}

/**
 * Before any download: how many bytes of the model are not stored yet, checked against what the browser lets this
 * site store (navigator.storage.estimate()); refuses with how much to free. model: {shards: [{sha256, size}]}.
 */
async function prepare(modelJson) {
  const model = JSON.parse(modelJson);
  const d = await dirs();
  let stored = 0, missing = 0;
  for (const s of model.shards) {
    const h = await fileOrNull(d.shards, s.sha256 + '.bin');
    const have = h ? (await h.getFile()).size : 0;
    if (have === s.size) stored += s.size;
    else {
      const part = await fileOrNull(d.partial, s.sha256 + '.part');
      missing += s.size - (part ? Math.min(s.size, (await part.getFile()).size) : 0);
    }
  }
  const estimate = navigator.storage && navigator.storage.estimate ? await navigator.storage.estimate() : {};
  const usage = estimate.usage || 0;
  const quota = model.quota_for_tests >= 0 ? model.quota_for_tests : (estimate.quota || Infinity);
  const free = quota - usage;
  if (missing > free) {
    throw storeError('QuotaError', `Not enough storage for this model: it needs ${mb(missing)} more but the browser `
      + `lets this site store only ${mb(Math.max(0, free))} more (${mb(usage)} of ${mb(quota)} used). Free at least `
      + `${mb(missing - free)} — delete stored models or clear this site's data — and load again.`);
  }
  const persisted = navigator.storage && navigator.storage.persisted ? await navigator.storage.persisted() : false;
  return JSON.stringify({ stored_bytes: stored, missing_bytes: missing, free_bytes: free, persisted, backend });
}

/**
 * One shard's verified bytes (padded to 4): the stored copy when it is there and still hashes right (a damaged one is
 * discarded), else downloaded (resumed from the bytes already received), checked, and only then committed.
 * onProgress(bytesOfThisShard, source). Resolves {bytes, source: 'store'|'network', discarded}.
 */
function shard(file, size, sha, url, onProgress) {
  const run = () => shardLocked(file, size, sha, url, onProgress);
  return navigator.locks ? navigator.locks.request('kiln-shard-' + sha, run) : run();
}

async function shardLocked(file, size, sha, url, onProgress) {
  const d = await dirs();
  let discarded = '';
  const h = await fileOrNull(d.shards, sha + '.bin');
  if (h) {
    let bytes = null;
    try {
      bytes = await readPadded(h, size);
    } catch (e) {
      discarded = `the stored copy of ${file} could not be read (${e.message})`;
    }
    if (bytes && await sha256(bytes, size) === sha) {
      onProgress(size, 'store');
      return { bytes, source: 'store', discarded };
    }
    if (!discarded) discarded = `the stored copy of ${file} failed its SHA-256 check`;
    await remove(d.shards, sha + '.bin');
  }
  let first = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    const bytes = await download(d, file, size, sha, url, onProgress);
    const got = await sha256(bytes, size);
    if (got === sha) {
      await commit(d, sha);
      return { bytes, source: 'network', discarded };
    }
    // never keep bytes that failed: the next try starts from zero, bypassing the HTTP cache
    await remove(d.partial, sha + '.part');
    await remove(d.partial, sha + '.etag');
    if (first === null) first = got;
  }
  throw storeError('IntegrityError', `shard ${file} failed its integrity check twice: expected SHA-256 ${sha}, `
    + `got ${first}. The server's copy is damaged or was changed without a new manifest; nothing of it was stored. `
    + `Re-package the model (kiln package) or ask the site's owner.`);
}

/** partial/<sha>.part → shards/<sha>.bin (a rename where OPFS has move(), else copy + delete). */
async function commit(d, sha) {
  const part = await d.partial.getFileHandle(sha + '.part');
  await remove(d.shards, sha + '.bin');
  if (typeof part.move === 'function') {
    await part.move(d.shards, sha + '.bin');
  } else {
    const w = await (await d.shards.getFileHandle(sha + '.bin', { create: true })).createWritable();
    await w.write(await part.getFile());
    await w.close();
    await remove(d.partial, sha + '.part');
  }
  await remove(d.partial, sha + '.etag');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * fetch without the HTTP cache, whose response carries stalled(promise): a body read that brings nothing for
 * STALL_MS aborts the request (a connection that hangs instead of breaking), so the retry can resume.
 */
async function fetchWithStallTimeout(url, headers) {
  const abort = new AbortController();
  const guard = (promise) => {
    let timer;
    return Promise.race([promise, new Promise((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(storeError('NetworkError', `no data for ${STALL_MS / 1000} s`));
      }, STALL_MS);
    })]).finally(() => clearTimeout(timer));
  };
  const res = await guard(fetch(url, { headers, cache: 'no-store', signal: abort.signal }));
  res.stalled = guard;
  return res;
}

/**
 * Brings partial/<sha>.part to `size` bytes: resumes with Range: bytes=<have>- and If-Range: <strong ETag> (a 200
 * instead of 206 means the file changed or ranges are unsupported: start again), retries network failures with
 * back-off, keeps every byte received. Returns the bytes (padded).
 */
async function download(d, file, size, sha, url, onProgress) {
  const part = await d.partial.getFileHandle(sha + '.part', { create: true });
  let have = (await part.getFile()).size;
  let etag = await readText(d.partial, sha + '.etag');
  if (have > size || (have > 0 && !etag)) have = 0; // nothing to resume against safely
  let failures = 0;
  while (have < size || size === 0) {
    const headers = {};
    if (have > 0) {
      headers.Range = `bytes=${have}-`;
      headers['If-Range'] = etag;
    }
    let w = null;
    try {
      // no-store: the store is the cache (the HTTP cache would hold every shard a second time)
      const res = await fetchWithStallTimeout(url, headers);
      if (!res.ok) {
        const err = storeError(res.status >= 500 || res.status === 408 || res.status === 429 ? 'NetworkError' : 'HttpError',
          `HTTP ${res.status} ${res.statusText}`);
        throw err;
      }
      const resumed = res.status === 206 && (res.headers.get('content-range') || '').startsWith(`bytes ${have}-`);
      if (res.status === 206 && !resumed) {
        // not the range asked for: never mix it in; the next try asks for the whole file
        res.body.cancel().catch(() => {});
        const asked = have;
        have = 0;
        await remove(d.partial, sha + '.etag');
        throw storeError('NetworkError', `the server answered range ${res.headers.get('content-range')}, not ${asked}-`);
      }
      if (!resumed) have = 0;
      const tag = res.headers.get('etag');
      etag = tag && !tag.startsWith('W/') ? tag : null;
      if (etag) await writeText(d.partial, sha + '.etag', etag);
      else await remove(d.partial, sha + '.etag');
      w = await part.createWritable({ keepExistingData: resumed });
      if (resumed) await w.seek(have);
      else await w.truncate(0);
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await res.stalled(reader.read());
        if (done) break;
        if (have + value.length > size) {
          reader.cancel().catch(() => {});
          break; // more than the manifest says: the hash check refuses it
        }
        await w.write(value);
        have += value.length;
        onProgress(have, 'network');
      }
      await w.close(); // commits what was received: a retry resumes after it
      w = null;
      if (have >= size) break;
      throw storeError('NetworkError', `the connection ended after ${have} of ${size} bytes`);
    } catch (e) {
      if (w) {
        try { await w.close(); } catch { /* the error below says more */ }
        have = (await part.getFile()).size;
      }
      if (e.name === 'QuotaExceededError') {
        throw storeError('QuotaError', `The browser's storage for this site is full (while storing ${file}, after `
          + `${mb(have)}). The shards stored so far are kept: free some space — delete stored models or clear this `
          + `site's data — and load again to continue.`);
      }
      if (e.name === 'HttpError') throw storeError('NetworkError', `fetch ${url}: ${e.message}`);
      if (++failures > RETRIES) {
        throw storeError('NetworkError', `downloading ${file} failed ${failures} times (last: ${e.message}); the `
          + `${mb(have)} received are kept and the next load resumes from there.`);
      }
      await sleep(BACKOFF_MS * 2 ** (failures - 1));
    }
    if (size === 0) break;
  }
  return await readPadded(part, size);
}

/**
 * Records a completely loaded model (for the list, offline loads and recovery). When it replaces an older version of
 * the same model, the old version's shards that neither the new version nor another stored model uses are deleted.
 */
async function commitModel(modelJson) {
  const m = JSON.parse(modelJson);
  m.stored_at = new Date().toISOString();
  const d = await dirs();
  const id = modelId(m.manifest_url, m.name);
  const all = await records(d);
  const old = all.find((r) => r.id === id);
  await writeText(d.models, id + '.json', JSON.stringify(m));
  if (!old) return;
  const used = new Set(m.shards.map((s) => s.sha256));
  for (const r of all) if (r.id !== id) for (const s of r.m.shards) used.add(s.sha256);
  for (const s of old.m.shards) if (!used.has(s.sha256)) await dropShard(d, s.sha256);
}

async function dropShard(d, sha) {
  const drop = async () => {
    await remove(d.shards, sha + '.bin');
    await remove(d.partial, sha + '.part');
    await remove(d.partial, sha + '.etag');
  };
  await (navigator.locks ? navigator.locks.request('kiln-shard-' + sha, drop) : drop());
}

// the engine's side (text, prepare, shard, commit) and, for kiln.mjs's listCachedModels/hasModelInCache/
// deleteCachedModel/isCached, the page's side: function declarations, hoisted, so they exist here already
export const engineStore = {
  text, prepare, shard, commit: commitModel,
  listCachedModels, hasModelInCache, deleteCachedModel, deleteAllCachedModels,
};

// ---- the page's side ----

async function records(d) {
  const out = [];
  for await (const [name, h] of d.models.entries()) {
    if (h.kind === 'file' && name.endsWith('.json')) out.push({ id: name.slice(0, -5), m: JSON.parse(await (await h.getFile()).text()) });
  }
  return out;
}

export async function listCachedModels() {
  if (!available) return [];
  const d = await dirs();
  const out = [];
  for (const { id, m } of await records(d)) {
    let complete = true;
    for (const s of m.shards) complete = complete && !!(await fileOrNull(d.shards, s.sha256 + '.bin'));
    out.push({ id, name: m.name, manifest_url: m.manifest_url, size_bytes: m.shards.reduce((a, s) => a + s.size, 0),
      shards: m.shards.length, complete, stored_at: m.stored_at });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

export async function hasModelInCache(id) {
  return (await listCachedModels()).some((m) => m.id === id && m.complete);
}

/** Deletes a stored model and the shards no other stored model uses; resolves with the bytes freed. */
export async function deleteCachedModel(id) {
  if (!available) return 0;
  const d = await dirs();
  const all = await records(d);
  const gone = all.find((r) => r.id === id);
  if (!gone) return 0;
  const kept = new Set();
  for (const r of all) if (r.id !== id) for (const s of r.m.shards) kept.add(s.sha256);
  let freed = 0;
  await remove(d.models, id + '.json');
  for (const s of gone.m.shards) {
    if (kept.has(s.sha256)) continue;
    await dropShard(d, s.sha256);
    freed += s.size;
  }
  return freed;
}

/** Deletes every stored model, and also what unfinished downloads left (shards and partial files of no model). */
export async function deleteAllCachedModels() {
  if (!available) return 0;
  let freed = 0;
  for (const m of await listCachedModels()) freed += await deleteCachedModel(m.id);
  const d = await dirs();
  const left = new Set();
  for (const dir of [d.shards, d.partial]) {
    for await (const [name] of dir.entries()) left.add(name.replace(/\.(bin|part|etag)$/, ''));
  }
  for (const sha of left) {
    for (const [dir, name] of [[d.shards, sha + '.bin'], [d.partial, sha + '.part']]) {
      const h = await fileOrNull(dir, name);
      if (h) freed += (await h.getFile()).size;
    }
    await dropShard(d, sha);
  }
  return freed;
}
