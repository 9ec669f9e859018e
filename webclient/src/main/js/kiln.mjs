// Kiln's JavaScript API in the shape people know from OpenAI's SDK, over the engine the Java code exports
// (JsEngine: info, chat, completion, profile, stop, close — JSON strings in and out). Shipped beside both builds
// (engine/kiln.mjs next to engine/js and engine/wasm) with its TypeScript declarations (kiln.d.ts).
//
//   import { load } from './engine/kiln.mjs';
//   const engine = await load('/models/qwen/manifest.json', { onProgress: (p) => console.log(p.phase) });
//   const reply = await engine.chat.completions.create({ messages: [{ role: 'user', content: 'Hi' }] });
//   for await (const chunk of await engine.chat.completions.create({ messages, stream: true })) { … }
//
// The engine runs one request at a time: requests queue behind the running one. Stop a request with its `signal`
// (an AbortSignal) or engine.interruptGenerate(): it ends after the current token with finish_reason "abort".
// Parameter ranges are checked in one place, the engine: a bad one rejects with an Error whose kind is "input" and
// whose message names the parameter. Without a `seed` each request draws one (random per answer); the seed used
// is in the result's `kiln.seed`, and passing it again reproduces the answer.

// (module (type (struct))) — valid only where WebAssembly GC is supported.
const GC_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 3, 1, 0x5f, 0]);

export function wasmGcSupported() {
  try { return WebAssembly.validate(GC_PROBE); } catch { return false; }
}

/** The raw exports ({demo, load}) of one build: 'wasm' (WebAssembly GC) or 'js'. */
export async function importBuild(build) {
  if (build === 'wasm') {
    const runtime = await import('./wasm/kiln.wasm-runtime.js');
    return (await runtime.load(new URL('./wasm/kiln.wasm', import.meta.url).href)).exports;
  }
  if (build === 'js') return await import('./js/kiln.js');
  throw inputError(`build must be "wasm" or "js", got ${JSON.stringify(build)}`);
}

/**
 * Loads a packaged model on this thread. options: build ('wasm' | 'js'; default: wasm where supported),
 * precision ('auto' | 'f16' | 'f32'), onProgress({phase, bytes_done, bytes_total, shards_done, shards_total}).
 */
export async function load(manifestUrl, options = {}) {
  const build = options.build ?? (wasmGcSupported() ? 'wasm' : 'js');
  const api = await importBuild(build);
  const url = globalThis.location ? new URL(manifestUrl, globalThis.location.href).href : String(manifestUrl);
  const onProgress = options.onProgress ? (json) => options.onProgress(JSON.parse(json)) : null;
  const loadOptions = options.precision ? { precision: options.precision } : {};
  return wrapEngine(await api.load(url, onProgress, JSON.stringify(loadOptions)));
}

/** The model store installed in this realm (the site's model-store.js; null in Node or without OPFS/Cache API). */
const store = () => globalThis.kilnModelStore ?? null;

/** The models kept in this browser's model store: [{id, name, manifest_url, size_bytes, shards, complete, stored_at}]. */
export async function listCachedModels() {
  const s = store();
  return s && s.listCachedModels ? s.listCachedModels() : [];
}

/** Whether the store holds every shard of the model {@code id}. */
export async function hasModelInCache(id) {
  const s = store();
  return s && s.hasModelInCache ? s.hasModelInCache(id) : false;
}

/** Deletes a stored model and the shards no other stored model uses; resolves with the bytes freed. */
export async function deleteCachedModel(id) {
  const s = store();
  return s && s.deleteCachedModel ? s.deleteCachedModel(id) : 0;
}

/**
 * Whether loading the model downloads nothing: the model store holds all of it, or (without a store) the browser's
 * HTTP cache holds its manifest and every shard (asked of the cache only, the shards' bodies unread).
 */
export async function isCached(manifestUrl) {
  const s = store();
  if (s && s.listCachedModels) {
    const url = new URL(manifestUrl, globalThis.location?.href).href;
    return (await s.listCachedModels()).some((m) => m.complete && new URL(m.manifest_url, globalThis.location?.href).href === url);
  }
  const cachedOk = async (url) => {
    const ctl = new AbortController();
    try {
      return (await fetch(url, { cache: 'only-if-cached', mode: 'same-origin', signal: ctl.signal })).ok;
    } catch {
      return false;
    } finally {
      ctl.abort(); // the headers say enough
    }
  };
  try {
    const r = await fetch(manifestUrl, { cache: 'only-if-cached', mode: 'same-origin' });
    if (!r.ok) return false;
    const manifest = await r.json();
    const shards = (manifest.shards || []).map((s) => new URL(s.file, r.url).href);
    return (await Promise.all(shards.map(cachedOk))).every(Boolean);
  } catch {
    return false;
  }
}

/**
 * The API over a raw engine: the object the Java `load()` resolves with, or any object with the same methods
 * (the demo page's Worker bridge): info() → JSON, chat(json, onChunk(json)) / completion(json, onChunk(json)) →
 * Promise<JSON>, profile(repeats) → Promise<JSON>, stop(), close().
 */
export function wrapEngine(raw) {
  return new KilnEngine(raw);
}

class KilnEngine {
  #raw;
  #queue = Promise.resolve(); // settles when the last queued request has
  #running = null;            // {abort()} of the request on the engine now

  constructor(raw) {
    this.#raw = raw;
    this.chat = { completions: { create: (request) => this.#create('chat', request) } };
    this.completions = { create: (request) => this.#create('completion', request) };
  }

  /** The model and device: name, precision, adapter, chat (has a chat template), context, … */
  info() { return JSON.parse(this.#raw.info()); }

  /** A test hook: destroys the GPU device as a driver reset would; the next request recovers from the model store. */
  loseDevice() { if (typeof this.#raw.loseDevice === 'function') this.#raw.loseDevice(); }

  /** Ends the running request after the current token (finish_reason "abort"); queued ones still run. */
  interruptGenerate() { if (this.#running) this.#running.abort(); }

  /** Settles when every request queued so far has finished. */
  idle() { return this.#queue.then(() => undefined); }

  /**
   * A developer's tool (`kiln bench`): GPU time of one more decode token by kernel role, after the requests queued so
   * far. Each role's dispatches of a token run `repeats` times in one submit, timed with the wall clock, an empty
   * submit's time subtracted. Resolves with {method, position, repeats, overhead_ms,
   * roles: [{role, dispatches, ms_per_token}]}; the engine checks `repeats` (at least 1).
   */
  profile(repeats) {
    if (!Number.isInteger(repeats)) return Promise.reject(inputError(`repeats must be a whole number, got ${JSON.stringify(repeats)}`));
    if (typeof this.#raw.profile !== 'function') {
      const e = new Error('this engine build has no profile (an older build?): rebuild the engine');
      e.kind = 'unavailable';
      return Promise.reject(e);
    }
    const run = this.#queue.then(async () => JSON.parse(await this.#raw.profile(repeats)));
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Frees the GPU device; a request still running is stopped first. */
  async close() {
    this.interruptGenerate();
    await this.idle();
    this.#raw.close();
  }

  #create(kind, request) {
    if (request === null || typeof request !== 'object') {
      return Promise.reject(inputError(`the request must be an object, got ${request === null ? 'null' : typeof request}`));
    }
    const { stream = false, signal, stream_options: _ignored, ...body } = request;
    if (typeof stream !== 'boolean') return Promise.reject(inputError(`stream must be true or false, got ${JSON.stringify(stream)}`));
    if (signal !== undefined && !(signal && typeof signal.addEventListener === 'function' && 'aborted' in signal)) {
      return Promise.reject(inputError('signal must be an AbortSignal'));
    }
    if (body.seed === undefined || body.seed === null) body.seed = randomSeed();
    const call = new Call(kind, body, signal);
    const run = this.#queue.then(() => {
      this.#running = call;
      return call.run(this.#raw).finally(() => { this.#running = null; });
    });
    this.#queue = run.catch(() => {});
    return stream ? call.stream() : run;
  }
}

/** One request on the engine: its chunks, its stop, its result. */
class Call {
  #kind; #body; #signal;
  #aborting = false;
  #raw = null;
  #chunks = [];          // chunk objects not yet taken by the stream's reader
  #wake = null;          // resolves the reader's pending next()
  #done = false;
  #error = null;
  #started;              // resolves at the first chunk or when the request settles (a stream's create() promise)
  #startedResolve;

  constructor(kind, body, signal) {
    this.#kind = kind;
    this.#body = body;
    this.#signal = signal;
    this.#started = new Promise((resolve) => { this.#startedResolve = resolve; });
    if (signal) {
      if (signal.aborted) this.#aborting = true;
      else signal.addEventListener('abort', () => this.abort(), { once: true });
    }
  }

  /**
   * Asks the engine to stop. The engine forgets a stop that lands before its request starts, so every chunk that
   * arrives after the ask repeats it until the request ends.
   */
  abort() {
    this.#aborting = true;
    if (this.#raw) this.#raw.stop();
  }

  async run(raw) {
    this.#raw = raw;
    const fn = this.#kind === 'chat' ? raw.chat : raw.completion;
    if (typeof fn !== 'function') {
      const e = new Error(`this engine build has no ${this.#kind} (an older build?): rebuild the engine`);
      e.kind = 'unavailable';
      this.#fail(e);
      throw e;
    }
    if (this.#aborting) raw.stop();
    try {
      const result = JSON.parse(await fn.call(raw, JSON.stringify(this.#body), (json) => this.#chunk(json)));
      result.kiln = { ...(result.kiln || {}), seed: this.#body.seed };
      this.#push(finalChunk(this.#kind, result));
      this.#done = true;
      this.#notify();
      return result;
    } catch (e) {
      this.#fail(e);
      throw e;
    }
  }

  #chunk(json) {
    if (this.#aborting) this.#raw.stop();
    this.#push(JSON.parse(json));
  }

  #push(chunk) {
    this.#chunks.push(chunk);
    this.#startedResolve();
    this.#notify();
  }

  #fail(e) {
    this.#error = e;
    this.#done = true;
    this.#startedResolve();
    this.#notify();
  }

  #notify() {
    if (this.#wake) { const w = this.#wake; this.#wake = null; w(); }
  }

  /** The stream: resolves once the request produced its first chunk (or rejects if it failed before any). */
  async stream() {
    await this.#started;
    if (this.#error && this.#chunks.length === 0) throw this.#error;
    const self = this;
    return {
      [Symbol.asyncIterator]() { return this; },
      async next() {
        while (true) {
          if (self.#chunks.length > 0) return { value: self.#chunks.shift(), done: false };
          if (self.#error) throw self.#error;
          if (self.#done) return { value: undefined, done: true };
          await new Promise((resolve) => { self.#wake = resolve; });
        }
      },
      /** A reader that leaves early (break out of for await) stops the request. */
      async return() {
        if (!self.#done) self.abort();
        self.#chunks.length = 0;
        return { value: undefined, done: true };
      },
      /** Stops the request; the chunks still coming end the stream (the last with finish_reason "abort"). */
      abort() { self.abort(); },
    };
  }
}

/** The stream's last chunk: no new text, the finish reason, usage and Kiln's details (as OpenAI's final chunk). */
function finalChunk(kind, result) {
  const c = result.choices && result.choices[0] ? result.choices[0] : {};
  const choice = kind === 'chat'
    ? { index: 0, delta: {}, finish_reason: c.finish_reason ?? null }
    : { index: 0, text: '', finish_reason: c.finish_reason ?? null };
  return {
    id: result.id, object: kind === 'chat' ? 'chat.completion.chunk' : 'text_completion', created: result.created,
    model: result.model, choices: [choice], usage: result.usage, kiln: result.kiln,
  };
}

function randomSeed() {
  return crypto.getRandomValues(new Uint32Array(1))[0] >>> 1; // 31 bits: an exact integer in every JSON reader
}

function inputError(message) {
  const e = new Error(message);
  e.kind = 'input';
  return e;
}
