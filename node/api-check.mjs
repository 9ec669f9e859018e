// Checks the OpenAI-shaped API of webclient's kiln.mjs against the real compiled engine (JS build) in Node with
// Dawn, on a base model (completions): request and response shapes, streaming with usage on the last chunk,
// AbortSignal and interruptGenerate ending a stream with finish_reason "abort", a bad parameter rejected as "input"
// naming it, a random seed per request that reproduces when given back, requests queued one after another, and
// profile (GPU time by kernel role) with its repeats checked.
// Run by KilnApiTest (webclient). Usage: node api-check.mjs <manifest URL>; prints "ok" or exits 1 with the failure.
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import './engine-env.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = process.env.KILN_WEBCLIENT || path.join(here, '..', 'webclient', 'target', 'webclient');
const { load } = await import(pathToFileURL(path.join(dir, 'kiln.mjs')).href);

const phases = new Set();
const engine = await load(process.argv[2], { build: 'js', precision: 'f32', onProgress: (p) => phases.add(p.phase) });
assert.ok(phases.has('ready'), 'onProgress got parsed progress objects: ' + [...phases]);
const greedy = { prompt: 'Once upon a time', max_tokens: 8, temperature: 0, ignore_eos: true };

// a promise of the whole completion
const whole = await engine.completions.create(greedy);
assert.equal(whole.object, 'text_completion');
assert.equal(whole.choices[0].finish_reason, 'length');
assert.equal(whole.usage.completion_tokens, 8);
assert.equal(whole.kiln.ids.length, 8);
assert.equal(whole.usage.prompt_tokens, whole.kiln.prompt_ids.length);
assert.ok(whole.choices[0].text.length > 0);
assert.equal(typeof whole.kiln.seed, 'number');

// a stream: the chunks' text is the same text; the last chunk carries the finish reason and usage
const chunks = [];
for await (const c of await engine.completions.create({ ...greedy, stream: true })) chunks.push(c);
const last = chunks[chunks.length - 1];
assert.equal(chunks.map((c) => c.choices[0].text).join(''), whole.choices[0].text);
assert.ok(chunks.slice(0, -1).every((c) => c.choices[0].finish_reason === null && !c.usage));
assert.equal(last.choices[0].finish_reason, 'length');
assert.deepEqual(last.kiln.ids, whole.kiln.ids);
assert.equal(last.usage.completion_tokens, 8);

// an AbortSignal ends a long stream after the current token
async function stopAfter(n, stop) {
  const long = { prompt: 'Once upon a time', max_tokens: 300, temperature: 0, ignore_eos: true };
  const ctl = new AbortController();
  let seen = 0, end = null;
  for await (const c of await engine.completions.create({ ...long, stream: true, signal: ctl.signal })) {
    if (++seen === n) stop(ctl);
    if (c.usage) end = c;
  }
  return end;
}
const aborted = await stopAfter(3, (ctl) => ctl.abort());
assert.equal(aborted.choices[0].finish_reason, 'abort');
assert.ok(aborted.usage.completion_tokens < 300, 'stopped early: ' + aborted.usage.completion_tokens);
const interrupted = await stopAfter(3, () => engine.interruptGenerate());
assert.equal(interrupted.choices[0].finish_reason, 'abort');

// a parameter out of range is an input error that names it
await assert.rejects(engine.completions.create({ ...greedy, top_p: 2 }),
  (e) => e.kind === 'input' && /top_p/.test(e.message));
await assert.rejects(engine.completions.create({ ...greedy, stream: 'yes' }), (e) => e.kind === 'input' && /stream/.test(e.message));

// no seed: each answer draws one; giving it back reproduces the answer
const warm = { prompt: 'Once upon a time', max_tokens: 24, temperature: 1, ignore_eos: true };
const a = await engine.completions.create(warm), b = await engine.completions.create(warm);
assert.notEqual(a.kiln.seed, b.kiln.seed);
assert.notDeepEqual(a.kiln.ids, b.kiln.ids, 'two random seeds gave the same 24 tokens at temperature 1');
const again = await engine.completions.create({ ...warm, seed: a.kiln.seed });
assert.deepEqual(again.kiln.ids, a.kiln.ids);

// requests made together run one after another, each as if alone
const [x, y] = await Promise.all([engine.completions.create(greedy), engine.completions.create(greedy)]);
assert.deepEqual(x.kiln.ids, whole.kiln.ids);
assert.deepEqual(y.kiln.ids, whole.kiln.ids);

// profile: queued after the requests, GPU time of one more decode token for every kernel role of a token
const profile = await engine.profile(2);
assert.equal(profile.repeats, 2);
assert.ok(profile.roles.length > 0 && profile.roles.every((r) => r.dispatches > 0 && r.ms_per_token >= 0),
  'a time and dispatches for every role: ' + JSON.stringify(profile));
assert.equal(profile.roles.reduce((n, r) => n + r.dispatches, 0), engine.info().dispatches_per_token,
  'the roles\' dispatches are a token\'s: ' + JSON.stringify(profile));
await assert.rejects(engine.profile(0), (e) => e.kind === 'input' && /repeats/.test(e.message));
await assert.rejects(engine.profile('2'), (e) => e.kind === 'input' && /repeats/.test(e.message));

await engine.close();
console.log('ok');
process.exit(0);
