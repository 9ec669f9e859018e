// The engine's dedicated module Worker: loads the chosen build exactly as the page would (engine-loader.js
// importEngine) and serves it over messages, so the engine's CPU work never blocks the page. WebGPU, fetch,
// crypto.subtle and performance.now() all exist here (WorkerNavigator.gpu).
//
// Protocol (page → worker; every request but init/stop/close carries an id that its replies repeat):
//   {op: 'init', build: 'wasm'|'js'}          → {type: 'engine-ready'} | {type: 'engine-failed', kind, message}
//   {id, op: 'demo'}                          → {id, type: 'result', value: kernel-check JSON}
//   {id, op: 'cached', url}                   → {id, type: 'result', value: whether the HTTP cache holds the model}
//   {id, op: 'load', url, options}            → {id, type: 'progress', json}* then
//                                               {id, type: 'result', value: {handle, info: info JSON,
//                                                methods: the request ops this engine has, of chat/completion/generate}}
//   {id, op: 'chat', handle, request}         → {id, type: 'chunk', json}* then {id, type: 'result', value: result JSON}
//   {id, op: 'completion', handle, request}   → the same for a plain completion (base models)
//   {id, op: 'generate', handle, request}     → {id, type: 'token', token, text}* then
//                                               {id, type: 'result', value: result JSON}
//                                             (request: core's GenerationRequest as JSON, forwarded as it is)
//   {id, op: 'score', handle, ids}            → {id, type: 'result', value: logits JSON}
//   {id, op: 'profile', handle, repeats}      → {id, type: 'result', value: profile JSON} (GPU ms of one more decode
//                                             token by kernel role, the engine's profile(repeats); after a request)
//   {op: 'stop', handle}                      the engine stops after the current token (the request then resolves
//                                             with finish_reason "abort"); handled while it awaits the GPU
//   {op: 'close', handle}                     frees the engine's GPU device
//   {op: 'lose-device', handle}               a test hook: destroys the device (the next generate recovers)
// Any failing request answers {id, type: 'error', kind, message} with the engine's own kind and message.
// On start the worker posts {type: 'started'} so the page can tell a Worker that cannot run at all from an engine
// that fails to load.
import { importEngine } from './engine-loader.js';
import { isCached } from './engine/kiln.mjs';

let api = null;
const engines = new Map(); // handle → engine
let nextHandle = 1;

function errorReply(id, e) {
  const message = e && e.message ? e.message : String(e);
  return { id, type: 'error', kind: (e && e.kind) || 'bug', message };
}

function engineOf(handle) {
  const engine = engines.get(handle);
  if (!engine) throw Object.assign(new Error(`no engine ${handle} in the Worker: it was closed; load the model again`),
    { kind: 'input' });
  return engine;
}

async function serve(m) {
  switch (m.op) {
    case 'demo':
      return await api.demo();
    case 'cached':
      return await isCached(m.url);
    case 'load': {
      const engine = await api.load(m.url, (json) => postMessage({ id: m.id, type: 'progress', json }), m.options);
      const handle = nextHandle++;
      engines.set(handle, engine);
      const methods = ['chat', 'completion', 'generate'].filter((op) => typeof engine[op] === 'function');
      return { handle, info: engine.info(), methods };
    }
    case 'chat':
    case 'completion':
      return await engineOf(m.handle)[m.op](m.request, (json) => postMessage({ id: m.id, type: 'chunk', json }));
    case 'generate':
      return await engineOf(m.handle).generate(m.request,
        (token, text) => postMessage({ id: m.id, type: 'token', token, text }));
    case 'score':
      return await engineOf(m.handle).score(m.ids);
    case 'profile':
      return await engineOf(m.handle).profile(m.repeats);
    default:
      throw Object.assign(new Error(`unknown request ${JSON.stringify(m.op)} to the engine Worker`), { kind: 'bug' });
  }
}

self.addEventListener('message', async ({ data: m }) => {
  if (m.op === 'init') {
    try {
      api = await importEngine(m.build);
      postMessage({ type: 'engine-ready' });
    } catch (e) {
      postMessage({ ...errorReply(undefined, e), type: 'engine-failed' });
    }
    return;
  }
  if (m.op === 'stop') {
    const engine = engines.get(m.handle);
    if (engine) engine.stop();
    return;
  }
  if (m.op === 'lose-device') {
    const engine = engines.get(m.handle);
    if (engine) engine.loseDevice();
    return;
  }
  if (m.op === 'close') {
    const engine = engines.get(m.handle);
    engines.delete(m.handle);
    if (engine) engine.close();
    return;
  }
  try {
    postMessage({ id: m.id, type: 'result', value: await serve(m) });
  } catch (e) {
    postMessage(errorReply(m.id, e));
  }
});

postMessage({ type: 'started' });
