// Conversations with the compiled engine in Node with Dawn, for `kiln chat` and tests: loads a packaged model over
// HTTP once, then reads requests as JSON lines on stdin (the request schema of dev.kiln.generate.GenerationRequest:
// "messages" for a chat, "prompt" for a completion) and answers each on stdout with JSON lines:
//   {"type": "ready", "info": {...}}                     once, after the model loaded
//   {"type": "chunk", "chunk": {...}}                    while it decodes (OpenAI chunk objects)
//   {"type": "result", "result": {...}}                  the completion (OpenAI shape, usage, kiln.prompt_ids …)
//   {"type": "error", "kind": "input", "message": "..."} a request that failed; the next one is read as usual
// One engine serves every request, so its KV cache carries a conversation from turn to turn. A line
// {"op": "stop"} ends the running request after the current token. EOF on stdin ends the process.
//
//   node node/chat.mjs --manifest URL [--precision auto|f16|f32]
// Exit codes: 0 ok, 2 usage, 3 the model failed to load (integrity, manifest), 1 other.

import readline from 'node:readline';
import { loadEngineBuild } from './engine-env.mjs';

function usage(msg) {
  process.stderr.write(`chat: ${msg}\nusage: node chat.mjs --manifest URL [--precision auto|f16|f32]\n`);
  process.exit(2);
}

const o = { precision: 'auto' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  switch (argv[i]) {
    case '--manifest': o.manifest = argv[++i]; break;
    case '--precision': o.precision = argv[++i]; break;
    default: usage(`unknown argument '${argv[i]}'`);
  }
}
if (!o.manifest) usage('--manifest is required');

const emit = obj => new Promise(resolve => process.stdout.write(JSON.stringify(obj) + '\n', resolve));
let engine;
try {
  const kiln = await loadEngineBuild();
  engine = await kiln.load(o.manifest, () => {}, JSON.stringify({ precision: o.precision }));
} catch (e) {
  process.stderr.write(`chat: the model failed to load (${e.kind || 'error'}): ${e.message}\n`);
  process.exit(e.kind === 'integrity' || e.kind === 'input' ? 3 : 1);
}
await emit({ type: 'ready', info: JSON.parse(engine.info()) });

// Requests run one after another; a stop line is handled while a request awaits the GPU.
const queue = [];
let running = false;
async function drain() {
  if (running) return;
  running = true;
  while (queue.length > 0) {
    const line = queue.shift();
    try {
      const request = JSON.parse(line);
      const chat = request.messages !== undefined;
      const onChunk = json => { process.stdout.write(`{"type":"chunk","chunk":${json}}\n`); };
      const result = chat ? await engine.chat(line, onChunk) : await engine.completion(line, onChunk);
      await emit({ type: 'result', result: JSON.parse(result) });
    } catch (e) {
      await emit({ type: 'error', kind: e.kind || (e instanceof SyntaxError ? 'input' : 'bug'), param: e.param, message: e.message });
    }
  }
  running = false;
}

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', line => {
  if (line.trim() === '') return;
  if (line.includes('"op"') && JSON.parse(line).op === 'stop') { engine.stop(); return; }
  queue.push(line);
  drain();
});
lines.on('close', async () => {
  while (running || queue.length > 0) await new Promise(r => setTimeout(r, 10));
  engine.close();
  process.exit(0);
});
