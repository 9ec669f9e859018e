// The demo page: picks the engine build, shows the device and a kernel check, then loads a model and streams a
// story. Everything runs in this tab — the engine in a dedicated Worker (engine-worker.js), so this page stays
// responsive while it works; the only requests go to this page's own origin.
//
// Test hooks (read by e2e-tests through Selenium, also handy in the console):
//   ?build=wasm|js  forces an engine build;  ?autoload=1 loads the first model at start;  ?precision=f16|f32
//   ?storage_quota=<bytes>  the model store's preflight assumes this quota (estimate() cannot be lowered in tests)
//   ?thread=main  runs the engine on this page's thread instead of its Worker (for comparison)
//   ?request=<JSON>  a generation request (core's GenerationRequest: prompt, max_tokens, temperature, top_k, top_p,
//                    seed, ignore_eos): its prompt, max_tokens and temperature fill the form, the rest is sent as is
//   #kernel[data-result]  JSON of the kernel check;  #status[data-state]  idle|loading|ready|generating|done|error
//   #thread[data-thread]  worker|main: where the engine runs
//   #output[data-result]  JSON result of the last generation (prompt_ids, ids, text, precision, timings)
//   globalThis.kilnPage.engine()  the loaded engine (engine.loseDevice() destroys its GPU device)
import { loadKiln } from './engine-loader.js';
import { refreshStoredModels } from './stored-models.js';
import './offline.js';
import { explainEngineFailure } from './host-check.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
// Request fields from ?request= that the form does not show; the engine owns every default (core's GenerationRequest).
let extra = {};
let extraError = null;
try {
  extra = JSON.parse(params.get('request') || '{}');
} catch (e) {
  extraError = '?request= is not JSON: ' + e.message;
}
let kiln = null;
let engine = null;

function setStatus(state, text) {
  $('status').dataset.state = state;
  $('status').textContent = text;
}

function showNoGpu(reason) {
  $('nogpu').hidden = false;
  $('nogpu-reason').textContent = reason;
  $('chat').hidden = true;
  $('kernel').dataset.state = 'fail';
  $('kernel').textContent = 'not run: ' + reason;
  setStatus('error', reason);
}

/** ?request= fills the form's fields (prompt, max tokens, temperature); they are then read back from the form. */
function fillForm() {
  if (extra.prompt !== undefined) $('prompt').value = extra.prompt;
  if (extra.max_tokens !== undefined) $('max-tokens').value = extra.max_tokens;
  if (extra.temperature !== undefined) $('temperature').value = extra.temperature;
  delete extra.prompt;
  delete extra.max_tokens;
  delete extra.temperature;
}

async function start() {
  if (extraError) {
    setStatus('error', extraError);
    return;
  }
  fillForm();
  if (!navigator.gpu) {
    showNoGpu('This browser does not expose navigator.gpu.');
    return;
  }
  try {
    kiln = await loadKiln(params.get('build'), params.get('thread'));
  } catch (e) {
    setStatus('error', 'Could not load the engine: ' + await explainEngineFailure(e));
    return;
  }
  $('build').textContent = kiln.build;
  $('thread').dataset.thread = kiln.thread;
  $('thread').textContent = kiln.thread === 'worker' ? 'a dedicated Worker'
    : 'this page\'s main thread (' + kiln.fallback + '): the page may stall while it works';
  if (kiln.thread === 'main') setStatus('idle', 'The engine runs on this page\'s main thread: ' + kiln.fallback + '.');
  if (!(await kernelCheck())) return;
  await listModels();
  if (params.get('autoload') === '1' && $('model').value) await loadModel();
}

async function kernelCheck() {
  try {
    const r = JSON.parse(await kiln.demo());
    $('adapter').textContent = r.adapter;
    $('features').textContent = r.features.join(', ') || '(none)';
    $('precision').textContent = r.precision;
    $('kernel').dataset.result = JSON.stringify(r);
    $('kernel').dataset.state = 'ok';
    $('kernel').textContent = `mat-vec ${r.rows}×${r.cols} on the GPU: y[0..3] = ` +
      r.f32.slice(0, 4).map((v) => v.toFixed(5)).join(', ') + ' …';
    return true;
  } catch (e) {
    $('kernel').dataset.state = 'fail';
    $('kernel').textContent = e.message;
    if (/WebGPU|adapter/i.test(e.message)) showNoGpu(e.message);
    else setStatus('error', 'The kernel check failed: ' + e.message);
    return false;
  }
}

async function listModels() {
  const select = $('model');
  try {
    // the Java server answers api/models; a static copy (kiln export) has models.json
    let res = await fetch('api/models').catch(() => null);
    if (!res || !res.ok) res = await fetch('models.json').catch(() => null);
    const models = res && res.ok ? await res.json() : [];
    for (const m of models) {
      const o = document.createElement('option');
      o.value = m.manifest_url;
      o.textContent = `${m.id} — ${m.architecture}, ${(m.parameters / 1e6).toFixed(1)}M parameters, ${m.quantization}, ${(m.size_bytes / 1e6).toFixed(1)} MB`;
      select.append(o);
    }
    if (models.length === 0) setStatus('idle', 'No model is served. Start the server with --model <file.gguf>.');
  } catch (e) {
    setStatus('error', 'Could not list models: ' + e.message);
  }
}

function onProgress(json) {
  const p = JSON.parse(json);
  $('progress').hidden = false;
  const frac = p.bytes_total ? p.bytes_done / p.bytes_total : 0;
  $('progress-bar').value = p.phase === 'ready' ? 1 : frac;
  $('progress-text').textContent = `${p.phase} — ${(p.bytes_done / 1e6).toFixed(1)} / ` +
    `${(p.bytes_total / 1e6).toFixed(1)} MB, shard ${p.shards_done}/${p.shards_total}` +
    (p.source ? ` (${p.source === 'store' ? 'from this browser' : 'downloading'})` : '') +
    (p.bytes_per_s ? `, ${(p.bytes_per_s / 1e6).toFixed(1)} MB/s` : '') +
    (p.eta_s > 0 && p.source === 'network' ? `, ${Math.ceil(p.eta_s)} s left` : '');
}

async function loadModel() {
  const url = $('model').value;
  if (!url) return;
  $('load').disabled = true;
  $('generate').disabled = true;
  setStatus('loading', 'Loading ' + url);
  try {
    if (engine) engine.close();
    const loadOptions = params.get('precision') ? { precision: params.get('precision') } : {};
    if (params.get('storage_quota')) loadOptions.storage_quota_bytes = Number(params.get('storage_quota'));
    engine = await kiln.load(new URL(url, location.href).href, onProgress, JSON.stringify(loadOptions));
    const info = JSON.parse(engine.info());
    $('precision').textContent = info.precision;
    setStatus('ready', `Ready: ${info.name}, ${info.precision} compute on ${info.adapter}.`);
    refreshStoredModels().catch(() => {});
    $('generate').disabled = false;
  } catch (e) {
    setStatus('error', e.message);
  } finally {
    $('load').disabled = false;
  }
}

async function generate(ev) {
  ev.preventDefault();
  if (!engine) return;
  // One request object, forwarded as it is to the engine. Without a seed the page draws a fresh one per click, so
  // sampling (temperature > 0) gives a new story each time; greedy ignores it.
  const request = {
    seed: Date.now() % 2147483647,
    ...extra,
    prompt: $('prompt').value,
    max_tokens: Number($('max-tokens').value),
    temperature: Number($('temperature').value),
  };
  if (request.prompt_ids) delete request.prompt; // token ids from ?request= replace the text
  $('output').textContent = '';
  delete $('output').dataset.result;
  $('generate').disabled = true;
  $('stop').disabled = false;
  setStatus('generating', 'Generating…');
  const t0 = performance.now();
  let n = 0;
  try {
    const result = JSON.parse(await engine.generate(JSON.stringify(request), (id, text) => {
      n++;
      $('output').textContent += text;
      $('stats').textContent = `${n} tokens, ${(n / ((performance.now() - t0) / 1000)).toFixed(1)} tokens/s`;
    }));
    $('output').dataset.result = JSON.stringify(result);
    $('stats').textContent = `${result.ids.length} tokens — prefill ${result.prefill_tps.toFixed(1)} tokens/s, ` +
      `decode ${result.decode_tps.toFixed(1)} tokens/s (${result.precision})`;
    setStatus('done', result.recovered ? 'Done. ' + result.recovered : 'Done.');
  } catch (e) {
    setStatus('error', e.message);
  } finally {
    $('generate').disabled = false;
    $('stop').disabled = true;
  }
}

// test hook: e2e-tests reach the loaded engine (e.g. engine.loseDevice()) through it
globalThis.kilnPage = { engine: () => engine };
$('load').addEventListener('click', loadModel);
$('prompt-form').addEventListener('submit', generate);
$('stop').addEventListener('click', () => engine && engine.stop());
start();
