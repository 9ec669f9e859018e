// The demo page: a chat with a model running entirely in this tab — the engine in a dedicated Worker
// (engine-worker.js) behind the OpenAI-shaped API of engine/kiln.mjs; conversations in IndexedDB; the only requests
// go to this page's own origin. Models without a chat template get a plain completion box.
//
// Test hooks (read by e2e-tests through Selenium, also handy in the console):
//   ?build=wasm|js  forces an engine build;  ?autoload=1 loads the first model at start;  ?precision=f16|f32
//   ?storage_quota=<bytes>  the model store's preflight assumes this quota (estimate() cannot be lowered in tests)
//   ?thread=main  runs the engine on this page's thread instead of its Worker (for comparison)
//   ?request=<JSON>  request fields (core's GenerationRequest: top_k, top_p, seed, ignore_eos, stop, …) sent with every
//                    request over what the settings give (the engine owns every default and check)
//   ?mode=completion  the plain completion box even for a model with a chat template (kiln generate --runtime browser)
//   #kernel[data-result]  JSON of the kernel check;  #thread[data-thread]  worker|main
//   #status[data-state]  idle|loading|ready|generating|done|stopped|error;  #chat[data-mode]  chat|completion
//   #model-details[data-info]  the loaded model's info() JSON
//   .msg[data-result]  an answer's {content, finish_reason, usage, kiln} (this session only)
//   #output[data-result]  a completion's {text, finish_reason, usage, kiln}
//   globalThis.kilnPage.engine()  the loaded engine (engine.loseDevice() destroys its GPU device)
import { loadKiln } from './engine-loader.js';
import { refreshStoredModels } from './stored-models.js';
import './offline.js';
import { explainEngineFailure } from './host-check.js';
import { openStore } from './store.js';
import { historyView, messageView, newConversation, showContent, statsOf, storable } from './conversation.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
let extra = {};         // ?request= fields
let extraError = null;
try {
  extra = JSON.parse(params.get('request') || '{}');
} catch (e) {
  extraError = '?request= is not JSON: ' + e.message;
}
let kiln = null;
let engine = null;      // KilnEngine (kiln.d.ts) of the loaded model
let info = null;        // its info()
let busy = false;       // a request is running
let answering = null;   // settles when the running answer or completion is shown and saved
let loading = false;
let store = null;       // IndexedDB, or null
let saved = [];         // stored conversations, most recent first
let conv = newConversation($('system-prompt').value);

function setStatus(state, text) {
  $('status').dataset.state = state;
  $('status').textContent = text;
  if (state === 'error' || state === 'stopped') $('status').scrollIntoView({ block: 'nearest' });
}

function showNoGpu(reason) {
  $('nogpu').hidden = false;
  $('nogpu-reason').textContent = reason;
  $('chat').hidden = true;
  $('kernel').dataset.state = 'fail';
  $('kernel').textContent = 'not run: ' + reason;
  setStatus('error', reason);
}

function updateControls() {
  $('generate').disabled = !engine || busy || loading;
  $('stop').disabled = !busy;
  renderConversation();
}

/** ?request= fills the settings it has fields for (prompt, max tokens, temperature); the rest is sent as it is. */
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
  store = await openStore();
  await refreshHistory();
  if (saved.length > 0) openConversation(saved[0].id);
  renderConversation();
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

const mb = (bytes) => (bytes >= 1e9 ? (bytes / 1e9).toFixed(2) + ' GB' : (bytes / 1e6).toFixed(1) + ' MB');

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
      const label = `${m.name || m.id} — ${mb(m.size_bytes)} download, ~${mb(m.memory_estimate_bytes)} GPU memory`;
      o.textContent = label;
      o.dataset.label = label;
      select.append(o);
      kiln.cached(new URL(m.manifest_url, location.href).href).then((cached) => {
        o.dataset.cached = String(cached);
        o.textContent = `${label}, ${cached ? 'downloaded' : 'not downloaded yet'}`;
      });
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
  if (!url || loading) return;
  loading = true;
  $('load').disabled = true;
  updateControls();
  try {
    if (engine) {
      // a running answer ends after its current token before the old engine goes away
      if (busy) setStatus('loading', 'Stopping the answer in progress…');
      await stopAnswer();
      const old = engine;
      engine = null;
      info = null;
      await old.close();
    }
    setStatus('loading', 'Loading ' + url);
    const loadOptions = params.get('precision') ? { precision: params.get('precision') } : {};
    if (params.get('storage_quota')) loadOptions.storage_quota_bytes = Number(params.get('storage_quota'));
    engine = await kiln.load(new URL(url, location.href).href, onProgress, JSON.stringify(loadOptions));
    info = engine.info();
    $('precision').textContent = info.precision;
    const o = $('model').selectedOptions[0];
    if (o) o.textContent = `${o.dataset.label}, downloaded`;
    $('model-details').dataset.info = JSON.stringify(info);
    setMode(info.chat === true && params.get('mode') !== 'completion' ? 'chat' : 'completion');
    $('model-details').textContent = `${info.name}: ${info.architecture}, context ${info.context} tokens, ` +
      `${info.precision} compute on ${info.adapter}, loaded in ${Math.round(info.load_ms)} ms.`;
    setStatus('ready', `Ready: ${info.name}, ${info.precision} compute on ${info.adapter}.`);
    refreshStoredModels().catch(() => {});
  } catch (e) {
    setStatus('error', e.message);
  } finally {
    loading = false;
    $('load').disabled = false;
    updateControls();
  }
}

function setMode(mode) {
  $('chat').dataset.mode = mode;
  const completion = mode === 'completion';
  $('completion-note').hidden = !completion;
  $('output').hidden = !completion;
  $('messages').hidden = completion;
  $('history').hidden = completion;
  $('system-prompt').disabled = completion;
  $('generate').textContent = completion ? 'Generate' : 'Send';
  $('prompt').placeholder = completion ? 'Text to continue (Enter generates, Shift+Enter for a new line)'
    : 'Message (Enter sends, Shift+Enter for a new line)';
}

/** Sampling parameters from the settings, then ?request='s fields; no seed means a random one per answer. */
function sampling() {
  const p = {
    max_tokens: Number($('max-tokens').value),
    temperature: Number($('temperature').value),
    top_p: Number($('top-p').value),
  };
  const seed = $('seed').value;
  if (seed !== null && seed !== '') p.seed = Number(seed);
  return { ...p, ...extra };
}

// ---- chat ----

function renderConversation() {
  const list = $('messages');
  const actions = { copy, edit: editLast, regenerate };
  list.replaceChildren(...conv.messages.map((m, i) => messageView(conv, i, actions, busy || loading)));
  $('history').querySelector('#conversations').replaceChildren(
    ...historyView(saved, conv.id, (id) => switchTo(() => openConversation(id)), deleteConversation));
  $('new-chat').disabled = false;
}

async function refreshHistory() {
  saved = store ? await store.all() : [];
}

async function save() {
  conv.updated = Date.now();
  if (!conv.title) {
    const first = conv.messages.find((m) => m.role === 'user');
    if (first) conv.title = first.content.slice(0, 60);
  }
  if (store && conv.messages.length > 0) {
    await store.put(storable(conv));
    await refreshHistory();
  }
  renderConversation();
}

function openConversation(id) {
  const c = saved.find((x) => x.id === id);
  if (!c) return;
  conv = structuredClone(c);
  $('system-prompt').value = conv.system;
  renderConversation();
}

/** Runs `work` (an answer or a completion) as the one under way. */
function track(work) {
  answering = work().catch((e) => setStatus('error', e.message)).finally(() => { answering = null; });
  return answering;
}

/** Stops the answer under way, if any, and waits until the page has shown and saved it. */
async function stopAnswer() {
  if (!answering) return;
  if (engine) engine.interruptGenerate();
  await answering;
}

/** Runs `then` once no answer is running (stopping one first). */
async function switchTo(then) {
  await stopAnswer();
  then();
  updateControls();
}

async function deleteConversation(id) {
  await switchTo(() => {});
  if (store) await store.delete(id);
  await refreshHistory();
  if (id === conv.id) conv = newConversation($('system-prompt').value);
  renderConversation();
}

let confirmDeleteAll = 0;
async function deleteAll() {
  const b = $('delete-all');
  if (Date.now() - confirmDeleteAll > 4000) { // a second click within 4 s confirms
    confirmDeleteAll = Date.now();
    b.textContent = 'Delete all? Click again';
    setTimeout(() => { b.textContent = 'Delete all'; }, 4000);
    return;
  }
  confirmDeleteAll = 0;
  b.textContent = 'Delete all';
  await switchTo(() => {});
  if (store) await store.clear();
  saved = [];
  conv = newConversation($('system-prompt').value);
  renderConversation();
}

async function copy(m, button) {
  try {
    await navigator.clipboard.writeText(m.content);
    button.textContent = 'Copied';
  } catch {
    button.textContent = 'Copy failed';
  }
  setTimeout(() => { button.textContent = 'Copy'; }, 1500);
}

/** Puts the last user message back into the box (its answer goes) so it can be changed and sent again. */
function editLast() {
  if (busy) return;
  const ms = conv.messages;
  if (ms.length > 0 && ms[ms.length - 1].role === 'assistant') ms.pop();
  if (ms.length === 0 || ms[ms.length - 1].role !== 'user') return;
  $('prompt').value = ms.pop().content;
  $('prompt').focus();
  renderConversation();
  save();
}

function regenerate() {
  if (busy || !engine) return;
  const ms = conv.messages;
  if (ms.length > 0 && ms[ms.length - 1].role === 'assistant') ms.pop();
  if (ms.length > 0 && ms[ms.length - 1].role === 'user') track(answer);
}

async function send(ev) {
  ev.preventDefault();
  if (!engine || busy || loading) return;
  if ($('chat').dataset.mode === 'completion') return track(complete);
  const text = $('prompt').value.trim();
  if (!text) return;
  conv.system = $('system-prompt').value;
  conv.messages.push({ role: 'user', content: text });
  $('prompt').value = '';
  await save();
  await track(answer);
}

/** Streams the assistant's answer to the conversation as it stands. */
async function answer() {
  const messages = (conv.system.trim() ? [{ role: 'system', content: conv.system }] : [])
    .concat(conv.messages.map((m) => ({ role: m.role, content: m.content })));
  const msg = { role: 'assistant', content: '' };
  conv.messages.push(msg);
  conv.model = $('model').value;
  busy = true;
  updateControls();
  setStatus('generating', 'Generating…');
  let last = null, state = 'error', text = '';
  try {
    const stream = await engine.chat.completions.create({ messages, ...sampling(), stream: true });
    for await (const chunk of stream) {
      const delta = chunk.choices[0].delta;
      if (delta && delta.content) {
        msg.content += delta.content;
        const li = $('messages').lastElementChild; // the answer is last (a re-render may have replaced the item)
        showContent(li, msg);
        li.scrollIntoView({ block: 'nearest' });
      }
      if (chunk.usage) last = chunk;
    }
    msg.stats = statsOf(last);
    msg.result = { content: msg.content, finish_reason: msg.stats.finish, usage: last.usage, kiln: last.kiln };
    [state, text] = msg.stats.finish === 'abort' ? ['stopped', 'Stopped.'] : ['done', 'Done.'];
    if (last.kiln && last.kiln.recovered) text += ' ' + last.kiln.recovered;
  } catch (e) {
    if (msg.content === '') conv.messages.pop();
    text = e.message;
  } finally {
    busy = false;
    await save();
    updateControls();
    setStatus(state, text); // last, once the conversation shows the answer and its result
  }
}

// ---- completion (models without a chat template) ----

async function complete() {
  const out = $('output');
  out.textContent = '';
  delete out.dataset.result;
  busy = true;
  updateControls();
  setStatus('generating', 'Generating…');
  let text = '', last = null;
  try {
    // token ids from ?request= (kiln bench --runtime browser) replace the box's text
    const prompt = extra.prompt_ids ? {} : { prompt: $('prompt').value };
    const stream = await engine.completions.create({ ...prompt, ...sampling(), stream: true });
    for await (const chunk of stream) {
      if (chunk.choices[0].text) {
        text += chunk.choices[0].text;
        out.textContent = text;
      }
      if (chunk.usage) last = chunk;
    }
    const s = statsOf(last);
    out.dataset.result = JSON.stringify({ text, finish_reason: s.finish, usage: last.usage, kiln: last.kiln });
    const figures = `${s.tokens} tokens, first after ${Math.round(s.ttft_ms)} ms, ${(s.tps || 0).toFixed(1)} tokens/s`;
    if (s.finish === 'abort') setStatus('stopped', `Stopped (${figures}).`);
    else setStatus('done', `Done (${figures}).` + (last.kiln && last.kiln.recovered ? ' ' + last.kiln.recovered : ''));
  } catch (e) {
    setStatus('error', e.message);
  } finally {
    busy = false;
    updateControls();
  }
}

// test hook: e2e-tests reach the loaded engine (e.g. engine.loseDevice()) through it
globalThis.kilnPage = { engine: () => engine };
$('load').addEventListener('click', loadModel);
$('prompt-form').addEventListener('submit', send);
$('prompt').addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
    ev.preventDefault();
    $('prompt-form').requestSubmit();
  }
});
$('stop').addEventListener('click', () => engine && engine.interruptGenerate());
$('new-chat').addEventListener('click', () => switchTo(() => {
  conv = newConversation($('system-prompt').value);
  $('prompt').focus();
}));
$('delete-all').addEventListener('click', deleteAll);
start();
