// Runs the compiled engine (webclient's JavaScript build) in Node with Dawn: loads a packaged model over HTTP,
// generates, streams the text to stdout. `./kiln generate --runtime node` serves the model and spawns this.
//
//   node node/generate.mjs --manifest <http url of manifest.json> --request REQUEST_JSON [--precision auto|f16|f32]
//        [--json] [--profile REPEATS]
//   node node/generate.mjs --manifest <url> --score IDS_JSON [--precision auto|f16|f32|f16,f32]
//
// REQUEST_JSON is one generation request, forwarded to the engine as it is: {"prompt": "…", "max_tokens": 128,
// "temperature": 0, "top_k": 40, "top_p": 0.95, "seed": 0, "ignore_eos": false} (or "prompt_ids" instead of
// "prompt"); the engine owns its defaults and checks (core's dev.kiln.generate.GenerationRequest), nothing is
// re-parsed here. `kiln generate` builds it from its options.
// Without --json the generated text streams to stdout. With --json the text is not streamed and the LAST line of
// stdout is one JSON object: prompt_ids, ids, text, precision, adapter, load_ms, prefill_tps, decode_tps, stopped.
// --profile REPEATS (with --json) then times one more decode token by kernel role (engine.profile: wall clock, each
// role's dispatches REPEATS times in one submit) and adds it to that object as "profile" (what `kiln bench` reports).
// --score '[1, 2, …]' instead runs teacher forcing and prints {"logits": [[…], …]} (row p predicts ids[p + 1]); with
// --precision f16,f32 (a comma list, score only) it loads the model once per precision in this one process and prints
// one line per precision, {"precision": "f16", "logits": …}, in the order asked.
// Progress and diagnostics go to stderr. Exit codes: 0 ok, 2 usage, 3 bad input (integrity, manifest, request), 1 other.

import { loadEngineBuild } from './engine-env.mjs';

function usage(msg) {
  process.stderr.write(`generate: ${msg}\nusage: node generate.mjs --manifest URL --request JSON ` +
    `[--precision auto|f16|f32] [--json] [--profile REPEATS]\n       node generate.mjs --manifest URL --score IDS_JSON [--precision LIST]\n`);
  process.exit(2);
}

function parse(argv) {
  const o = { json: false, precision: 'auto' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--manifest': o.manifest = argv[++i]; break;
      case '--request': o.request = argv[++i]; break;
      case '--precision': o.precision = argv[++i]; break;
      case '--score': o.score = argv[++i]; break;
      case '--json': o.json = true; break;
      case '--profile': o.profile = Number(argv[++i]); break;
      case '--help': case '-h': usage('help'); break;
      default: usage(`unknown argument '${a}'`);
    }
  }
  if (!o.manifest) usage('--manifest is required');
  if ((o.request === undefined) === (o.score === undefined)) usage('exactly one of --request and --score is required');
  if (o.profile !== undefined && (!o.json || !(Number.isInteger(o.profile) && o.profile >= 1))) {
    usage('--profile needs --json and a whole number of repeats ≥ 1');
  }
  return o;
}

const o = parse(process.argv.slice(2));
const tty = process.stderr.isTTY;
let lastPhase = '';
function onProgress(json) {
  const p = JSON.parse(json);
  const line = `${p.phase} ${(p.bytes_done / 1e6).toFixed(2)}/${(p.bytes_total / 1e6).toFixed(2)} MB, ` +
    `shard ${p.shards_done}/${p.shards_total}`;
  if (tty) process.stderr.write(`\r${line}\x1b[K`);
  else if (p.phase !== lastPhase) process.stderr.write(line + '\n');
  lastPhase = p.phase;
}

// Resolves when the text has left this process: process.exit() would cut a large write to a pipe short.
const emit = text => new Promise(resolve => process.stdout.write(text, resolve));

let engine = null;
try {
  const kiln = await loadEngineBuild();
  if (o.score !== undefined && o.precision.includes(',')) {
    for (const precision of o.precision.split(',')) {
      engine = await kiln.load(o.manifest, onProgress, JSON.stringify({ precision }));
      const info = JSON.parse(engine.info());
      process.stderr.write(`loaded ${info.name}: ${info.precision} in ${info.load_ms.toFixed(0)} ms, ` +
        `${info.dispatches_per_token} dispatches per token, ` +
    (info.subgroups ? 'subgroup reductions' : `workgroup-memory reductions (${info.subgroups_note})`) + '\n');
      const scored = await engine.score(o.score);
      await emit(`{"precision":"${info.precision}","dispatches_per_token":${info.dispatches_per_token},` +
        scored.trim().slice(1) + '\n');
      engine.close();
      engine = null;
    }
    process.exit(0);
  }
  engine = await kiln.load(o.manifest, onProgress, JSON.stringify({ precision: o.precision }));
  if (tty) process.stderr.write('\n');
  const info = JSON.parse(engine.info());
  process.stderr.write(`loaded ${info.name}: ${info.precision} on ${info.adapter} in ${info.load_ms.toFixed(0)} ms, ` +
    `${info.dispatches_per_token} dispatches per token, ` +
    (info.subgroups ? 'subgroup reductions' : `workgroup-memory reductions (${info.subgroups_note})`) + '\n');
  if (o.score !== undefined) {
    await emit(await engine.score(o.score) + '\n');
  } else {
    const result = await engine.generate(o.request, (id, text) => {
      if (!o.json) process.stdout.write(text);
    });
    const r = JSON.parse(result);
    process.stderr.write(`${o.json ? '' : '\n'}${r.ids.length} tokens; prefill ${r.prefill_tps.toFixed(1)} tok/s, ` +
      `decode ${r.decode_tps.toFixed(1)} tok/s (${r.precision})\n`);
    if (o.json && o.profile !== undefined) {
      await emit(JSON.stringify({ ...r, profile: JSON.parse(await engine.profile(o.profile)) }) + '\n');
    } else if (o.json) {
      await emit(result + '\n');
    }
  }
  engine.close();
  process.exit(0);
} catch (e) {
  if (tty) process.stderr.write('\n');
  process.stderr.write(`generate failed (${e.kind || 'error'}): ${e.message}\n`);
  if (engine) engine.close();
  process.exit(e.kind === 'integrity' || e.kind === 'input' ? 3 : 1);
}
