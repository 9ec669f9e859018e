// Loads the engine compiled from Java: the WebAssembly GC build where the browser supports it (Chrome 119+),
// the JavaScript build otherwise. Both export the same API (webclient/README.md).
// Both run under a CSP without 'unsafe-eval': the Wasm GC runtime served here is the site build's patched copy
// (site/src/build, dev.kiln.csp), which evaluates no strings and takes every @JSBody function precompiled from
// engine/wasm/kiln.jsbody.js; TeaVM's JavaScript build never evaluates strings.
//
// The engine runs in a dedicated module Worker (engine-worker.js): its CPU work (tokenizer, sampling, weight
// repacking, TeaVM's scheduler) never blocks this page. The page gets the same OpenAI-shaped API a page embedding
// engine/kiln.mjs gets (engine.chat.completions.create, engine.completions.create, interruptGenerate, …): kiln.mjs
// wraps a raw engine, and here the raw engine is a bridge to the Worker's over messages:
//   loadKiln(forced, where?) → {build, thread: 'worker'|'main', fallback?: reason, demo(),
//                               load(url, onProgress(json), optionsJson) → KilnEngine (kiln.d.ts),
//                               cached(manifestUrl) → whether the HTTP cache holds the whole model}
// (the cache check runs where the engine runs, so the page's own fetches never include the model)
// Only if the Worker cannot be created (or its script cannot start) does the engine run on this thread instead;
// `fallback` then says why. where === 'main' forces that (a test hook: ?thread=main).
import { importBuild, isCached, wasmGcSupported, wrapEngine } from './engine/kiln.mjs';

export { wasmGcSupported };

export function chooseBuild(forced) {
  return forced === 'js' || forced === 'wasm' ? forced : (wasmGcSupported() ? 'wasm' : 'js');
}

export const BUILD_NAMES = { wasm: 'WebAssembly GC', js: 'JavaScript' };

/** The engine's exports ({demo, load}) in this realm (page or worker). */
export async function importEngine(build) {
  await installModelStore();
  return importBuild(build);
}

/** The model store (model-store.js) where this realm has OPFS: the engine finds it as globalThis.kilnModelStore. */
async function installModelStore() {
  const store = await import('./model-store.js');
  if (store.available && !globalThis.kilnModelStore) globalThis.kilnModelStore = store.engineStore;
}

export async function loadKiln(forced, where) {
  const build = chooseBuild(forced);
  let fallback = 'forced by ?thread=main';
  if (where !== 'main') {
    try {
      return await workerKiln(build);
    } catch (e) {
      if (!(e instanceof WorkerUnavailable)) throw e;
      fallback = e.message;
    }
  }
  const api = await importEngine(build);
  return {
    build: BUILD_NAMES[build], thread: 'main', fallback, demo: api.demo, cached: isCached,
    load: async (url, onProgress, optionsJson) => wrapEngine(await api.load(url, onProgress, optionsJson)),
  };
}

class WorkerUnavailable extends Error {}

/** An Error as the engine's own: message and kind (unavailable, device-lost, validation, input, bug, …). */
function engineError(m) {
  const e = new Error(m.message);
  e.kind = m.kind;
  return e;
}

function workerKiln(build) {
  let worker;
  try {
    worker = new Worker(new URL('./engine-worker.js', import.meta.url), { type: 'module' });
  } catch (e) {
    return Promise.reject(new WorkerUnavailable('could not create a Worker: ' + e.message));
  }
  const pending = new Map(); // request id → {resolve, reject, onProgress?, onChunk?}
  let nextId = 1;

  const call = (msg, handlers = {}) => {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject, ...handlers });
      worker.postMessage({ id, ...msg });
    });
  };

  return new Promise((resolveKiln, rejectKiln) => {
    let started = false;
    // an uncaught error in the Worker: the replies awaited may never come, so reject them (later requests still go
    // to the Worker)
    const fail = (reason) => {
      for (const p of pending.values()) p.reject(reason);
      pending.clear();
    };
    worker.addEventListener('error', (ev) => {
      ev.preventDefault();
      if (!started) {
        worker.terminate();
        rejectKiln(new WorkerUnavailable('the engine Worker did not start: ' + (ev.message || 'script error')));
        return;
      }
      const e = new Error('The engine Worker failed: ' + (ev.message || 'script error')
        + '. Reload the page if it keeps failing.');
      e.kind = 'bug';
      fail(e);
    });
    worker.addEventListener('messageerror', () => {
      const e = new Error('A message from the engine Worker could not be read. Reload the page.');
      e.kind = 'bug';
      fail(e);
    });
    worker.addEventListener('message', ({ data: m }) => {
      if (m.type === 'started') {
        started = true;
        return;
      }
      if (m.type === 'engine-ready') {
        resolveKiln({
          build: BUILD_NAMES[build], thread: 'worker',
          demo: () => call({ op: 'demo' }),
          cached: (url) => call({ op: 'cached', url }),
          load: async (url, onProgress, optionsJson) => {
            const { handle, info, methods } = await call({ op: 'load', url, options: optionsJson }, { onProgress });
            // the raw engine's shape: only the methods the Worker's engine has (an older build lacks chat)
            const raw = {
              info: () => info,
              stop: () => worker.postMessage({ op: 'stop', handle }),
              close: () => worker.postMessage({ op: 'close', handle }),
              score: (idsJson) => call({ op: 'score', handle, ids: idsJson }),
              profile: (repeats) => call({ op: 'profile', handle, repeats }),
              loseDevice: () => worker.postMessage({ op: 'lose-device', handle }),
            };
            for (const op of ['chat', 'completion', 'generate']) {
              if (!methods.includes(op)) continue;
              raw[op] = op === 'generate'
                ? (request, onToken) => call({ op, handle, request }, { onToken })
                : (request, onChunk) => call({ op, handle, request }, { onChunk });
            }
            return wrapEngine(raw);
          },
        });
        return;
      }
      if (m.type === 'engine-failed') {
        worker.terminate();
        rejectKiln(engineError(m));
        return;
      }
      const p = pending.get(m.id);
      if (!p) return;
      switch (m.type) {
        case 'progress': if (p.onProgress) p.onProgress(m.json); break;
        case 'token': if (p.onToken) p.onToken(m.token, m.text); break;
        case 'chunk': if (p.onChunk) p.onChunk(m.json); break;
        case 'result': pending.delete(m.id); p.resolve(m.value); break;
        case 'error': pending.delete(m.id); p.reject(engineError(m)); break;
      }
    });
    worker.postMessage({ op: 'init', build });
  });
}
