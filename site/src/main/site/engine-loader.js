// Loads the engine compiled from Java: the WebAssembly GC build where the browser supports it (Chrome 119+),
// the JavaScript build otherwise. Both export the same API (webclient/README.md).
// Both run under a CSP without 'unsafe-eval': the Wasm GC runtime served here is the site build's patched copy
// (site/src/build, dev.kiln.csp), which evaluates no strings and takes every @JSBody function precompiled from
// engine/wasm/kiln.jsbody.js; TeaVM's JavaScript build never evaluates strings.
//
// The engine runs in a dedicated module Worker (engine-worker.js): its CPU work (tokenizer, sampling, weight
// repacking, TeaVM's scheduler) never blocks this page. loadKiln keeps the engine's API, bridged over messages:
//   loadKiln(forced, where?) → {build, thread: 'worker'|'main', fallback?: reason, demo(),
//                               load(url, onProgress, optionsJson)}
//   load → engine {info() (sync: the info JSON the worker sends after load), generate(requestJson, onToken),
//                  score(idsJson), stop(), close()}
// Only if the Worker cannot be created (or its script cannot start) does the engine run on this thread instead;
// `fallback` then says why. where === 'main' forces that (a test hook: ?thread=main).

// (module (type (struct))) — valid only where WebAssembly GC is supported.
const GC_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 3, 1, 0x5f, 0]);

export function wasmGcSupported() {
  try { return WebAssembly.validate(GC_PROBE); } catch { return false; }
}

export function chooseBuild(forced) {
  return forced === 'js' || forced === 'wasm' ? forced : (wasmGcSupported() ? 'wasm' : 'js');
}

export const BUILD_NAMES = { wasm: 'WebAssembly GC', js: 'JavaScript' };

/** The engine's exports ({demo, load}) in this realm (page or worker). */
export async function importEngine(build) {
  await installModelStore();
  if (build === 'wasm') {
    const runtime = await import('./engine/wasm/kiln.wasm-runtime.js');
    const teavm = await runtime.load(new URL('./engine/wasm/kiln.wasm', import.meta.url).href);
    return teavm.exports;
  }
  return await import('./engine/js/kiln.js');
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
  return { build: BUILD_NAMES[build], thread: 'main', fallback, demo: api.demo, load: api.load };
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
  const pending = new Map(); // request id → {resolve, reject, onProgress?, onToken?}
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
          load: async (url, onProgress, optionsJson) => {
            const { handle, info } = await call({ op: 'load', url, options: optionsJson }, { onProgress });
            return {
              info: () => info,
              generate: (request, onToken) => call({ op: 'generate', handle, request }, { onToken }),
              score: (idsJson) => call({ op: 'score', handle, ids: idsJson }),
              stop: () => worker.postMessage({ op: 'stop', handle }),
              close: () => worker.postMessage({ op: 'close', handle }),
              loseDevice: () => worker.postMessage({ op: 'lose-device', handle }),
            };
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
        case 'result': pending.delete(m.id); p.resolve(m.value); break;
        case 'error': pending.delete(m.id); p.reject(engineError(m)); break;
      }
    });
    worker.postMessage({ op: 'init', build });
  });
}
