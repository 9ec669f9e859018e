// Step-by-step trace of the compiled engine in Node with Dawn, for `kiln verify --steps`: loads a packaged model over
// HTTP, runs the ids teacher-forced one position at a time and prints, per precision, one line of JSON:
// {"precision": "f32", "steps": [{"pos", "step", "layer", "values": […]}, …]} — every recipe stage's result.
//
//   node node/trace.mjs --manifest URL --ids '[1, 2, …]' [--precision f16,f32] [--kernel ROLE=FILE …]
//
// --kernel replaces a kernel role's WGSL file (e.g. mat_vec=/tmp/my_mat_vec.wgsl; the preludes are kept), so a
// developer can check a changed kernel step by step without rebuilding. Progress goes to stderr.
// Exit codes: 0 ok, 2 usage, 3 bad input (integrity, manifest, kernel file), 1 other.

import { readFileSync } from 'node:fs';
import { loadEngineBuild } from './engine-env.mjs';

function usage(msg) {
  process.stderr.write(`trace: ${msg}\nusage: node trace.mjs --manifest URL --ids JSON [--precision f16,f32] [--kernel ROLE=FILE]\n`);
  process.exit(2);
}

const o = { precision: 'auto', kernels: {} };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  switch (a) {
    case '--manifest': o.manifest = argv[++i]; break;
    case '--ids': o.ids = argv[++i]; break;
    case '--precision': o.precision = argv[++i]; break;
    case '--kernel': {
      const v = argv[++i] || '';
      const eq = v.indexOf('=');
      if (eq < 1) usage(`--kernel needs ROLE=FILE, got '${v}'`);
      try {
        o.kernels[v.slice(0, eq)] = readFileSync(v.slice(eq + 1), 'utf8');
      } catch (e) {
        process.stderr.write(`trace failed (input): cannot read kernel file ${v.slice(eq + 1)}: ${e.message}\n`);
        process.exit(3);
      }
      break;
    }
    default: usage(`unknown argument '${a}'`);
  }
}
if (!o.manifest) usage('--manifest is required');
if (!o.ids) usage('--ids is required');

const emit = text => new Promise(resolve => process.stdout.write(text, resolve));
let engine = null;
try {
  const kiln = await loadEngineBuild();
  for (const precision of o.precision.split(',')) {
    engine = await kiln.load(o.manifest, () => {}, JSON.stringify({ precision, kernels: o.kernels }));
    const info = JSON.parse(engine.info());
    process.stderr.write(`trace: ${info.name} on ${info.precision}\n`);
    const traced = await engine.trace(o.ids);
    await emit(`{"precision":"${info.precision}",` + traced.trim().slice(1) + '\n');
    engine.close();
    engine = null;
  }
  process.exit(0);
} catch (e) {
  process.stderr.write(`trace failed (${e.kind || 'error'}): ${e.message}\n`);
  if (engine) engine.close();
  process.exit(e.kind === 'integrity' || e.kind === 'input' ? 3 : 1);
}
