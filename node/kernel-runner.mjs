// Kernel runner: a long-lived Node process that runs WGSL compute kernels on Dawn for Node (npm `webgpu`) for the
// JVM tests (dev.kiln.shaders.NodeGpu in the shaders test-jar). One JSON object per line on stdin, one answer per
// line on stdout, in order; diagnostics on stderr.
//
// Requests (`id` is echoed back):
//   {"id":1,"op":"info"}
//     -> {"id":1,"ok":true,"adapter":{vendor,architecture,device,description,subgroupMaxSize},"features":[…],"limits":{…}}
//   {"id":2,"op":"run",
//    "shaders":  ["<wgsl>", …],                         compiled once per distinct text, with getCompilationInfo
//    "buffers":  {"<name>": {"data":"<base64>"}           initial bytes (size padded to 4)
//                         | {"size":n}                    zero-filled
//                         | {"size":n,"fill":{"seed":s,"and":a,"or":o}}   word i = (hash(i, s) & a) | o
//                 , …},
//    "dispatches": [{"shader":0,"label":"mat_vec","workgroups":[x,y,z],
//                    "bindings":[{"buffer":"<name>","type":"read-only-storage"|"storage"|"uniform"}, …]}, …],
//    "read": ["<name>", …]}
//     -> {"id":2,"ok":true,"outputs":{"<name>":"<base64>"},"compilation":[[{type,line,linePos,message}…]…],
//         "errors":[…],"ms":<submit to readback, wall clock>}
//   Bindings are listed in slot order (index = @binding); every dispatch gets an explicit bind group layout made
//   from those types, so a kernel whose WGSL disagrees with the Java binding list fails validation. All dispatches
//   of a request go into one command encoder, in order, sharing the named buffers.
//   A failure answers {"id":…,"ok":false,"error":"…","compilation":…,"errors":[…]}.
//
// The `fill` hash (lowbias32 of i + seed·0x9e3779b9) is mirrored by NodeGpu.fillWord in Java, so a test can make a
// 120 MiB weight tensor here without sending it through the pipe.
//
// Environment: VK_ICD_FILENAMES picks the Vulkan driver (NodeGpu sets lavapipe's). Dawn's main thread busy-waits
// in setImmediate; routing it through setTimeout gives lavapipe its cores back (../shared/notes/webgpu-on-cpu.md).

import fs from 'node:fs';

globalThis.setImmediate = (fn, ...args) => setTimeout(fn, 0, ...args);
const { create, globals } = await import('webgpu');
Object.assign(globalThis, globals);

const gpu = create([]);
const adapter = await gpu.requestAdapter();
if (!adapter) {
  process.stdout.write(JSON.stringify({ id: 0, ok: false, error: 'no WebGPU adapter (is VK_ICD_FILENAMES right?)' }) + '\n');
  process.exit(3);
}
const features = [...adapter.features];
const device = await adapter.requestDevice({
  requiredFeatures: ['shader-f16', 'subgroups'].filter(f => features.includes(f)),
  requiredLimits: {
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    maxBufferSize: adapter.limits.maxBufferSize,
    maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX: adapter.limits.maxComputeWorkgroupSizeX,
    maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage,
  },
});
device.lost.then(info => process.stderr.write(`kernel-runner: device lost: ${info.reason} ${info.message}\n`));
device.addEventListener('uncapturederror', e => process.stderr.write(`kernel-runner: uncaptured: ${e.error.message}\n`));

const modules = new Map(); // wgsl text -> {module, compilation}

function info() {
  const i = adapter.info || {};
  const limits = {};
  for (const k in device.limits) limits[k] = device.limits[k];
  return {
    adapter: { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description,
               subgroupMaxSize: i.subgroupMaxSize || 0 },
    features: [...device.features],
    limits,
  };
}

// lowbias32 (Chris Wellons) of i + seed·0x9e3779b9: the same words as NodeGpu.fillWord.
function fillWords(words, seed, and, or) {
  const out = new Uint32Array(words);
  const s = Math.imul(seed, 0x9e3779b9);
  for (let i = 0; i < words; i++) {
    let x = (i + s) >>> 0;
    x ^= x >>> 16; x = Math.imul(x, 0x7feb352d);
    x ^= x >>> 15; x = Math.imul(x, 0x846ca68b);
    x ^= x >>> 16;
    out[i] = ((x & and) | or) >>> 0;
  }
  return out;
}

async function compile(code) {
  let m = modules.get(code);
  if (!m) {
    const module = device.createShaderModule({ code });
    const ci = await module.getCompilationInfo();
    const compilation = ci.messages.map(x => ({ type: x.type, line: x.lineNum, linePos: x.linePos, message: x.message }));
    m = { module, compilation, pipelines: new Map() };
    modules.set(code, m);
  }
  return m;
}

async function run(req) {
  const scopes = ['validation', 'out-of-memory', 'internal'];
  for (const s of scopes) device.pushErrorScope(s);
  const buffers = new Map();
  const compilation = [];
  let failure = null;
  let outputs = {};
  let ms = 0;
  try {
    const shaders = [];
    for (const code of req.shaders || []) {
      const m = await compile(code);
      shaders.push(m);
      compilation.push(m.compilation);
    }
    if (compilation.some(c => c.some(x => x.type === 'error'))) throw new Error('shader compilation failed');

    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    for (const [name, spec] of Object.entries(req.buffers || {})) {
      let bytes = null;
      if (spec.data !== undefined) bytes = Buffer.from(spec.data, 'base64');
      else if (spec.fill) {
        const f = spec.fill;
        bytes = fillWords(Math.ceil(spec.size / 4), f.seed | 0, f.and >>> 0, f.or >>> 0);
      }
      const size = Math.max(4, Math.ceil((bytes ? bytes.byteLength : spec.size) / 4) * 4);
      const buffer = device.createBuffer({ label: name, size, usage });
      if (bytes && bytes.byteLength > 0) {
        const padded = bytes.byteLength % 4 === 0 ? bytes : Buffer.concat([bytes, Buffer.alloc(4 - bytes.byteLength % 4)]);
        device.queue.writeBuffer(buffer, 0, padded.buffer, padded.byteOffset, padded.byteLength);
      }
      buffers.set(name, buffer);
    }

    const encoder = device.createCommandEncoder();
    for (const d of req.dispatches || []) {
      const shader = shaders[d.shader];
      const key = d.bindings.map(b => b.type).join(',');
      let pipeline = shader.pipelines.get(key);
      if (!pipeline) {
        const layout = device.createBindGroupLayout({
          entries: d.bindings.map((b, i) => ({ binding: i, visibility: GPUShaderStage.COMPUTE, buffer: { type: b.type } })),
        });
        pipeline = device.createComputePipeline({
          label: d.label, layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
          compute: { module: shader.module, entryPoint: 'main' },
        });
        shader.pipelines.set(key, pipeline);
      }
      const bindGroup = device.createBindGroup({
        label: d.label, layout: pipeline.getBindGroupLayout(0),
        entries: d.bindings.map((b, i) => {
          const buffer = buffers.get(b.buffer);
          if (!buffer) throw new Error(`dispatch ${d.label}: no buffer named '${b.buffer}'`);
          return { binding: i, resource: { buffer } };
        }),
      });
      const pass = encoder.beginComputePass({ label: d.label });
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(...d.workgroups);
      pass.end();
    }
    const staging = [];
    for (const name of req.read || []) {
      const src = buffers.get(name);
      if (!src) throw new Error(`read: no buffer named '${name}'`);
      const dst = device.createBuffer({ size: src.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      encoder.copyBufferToBuffer(src, 0, dst, 0, src.size);
      staging.push([name, dst]);
    }
    const t0 = performance.now();
    device.queue.submit([encoder.finish()]);
    for (const [name, dst] of staging) {
      await dst.mapAsync(GPUMapMode.READ);
      outputs[name] = Buffer.from(dst.getMappedRange()).toString('base64');
      dst.unmap();
      dst.destroy();
    }
    await device.queue.onSubmittedWorkDone();
    ms = performance.now() - t0;
  } catch (e) {
    failure = e && e.message ? e.message : String(e);
  }
  const errors = [];
  for (let i = scopes.length - 1; i >= 0; i--) {
    const err = await device.popErrorScope();
    if (err) errors.push(`${scopes[i]}: ${err.message}`);
  }
  for (const b of buffers.values()) b.destroy();
  if (failure || errors.length) {
    return { ok: false, error: failure || errors[0], compilation, errors };
  }
  return { ok: true, outputs, compilation, errors, ms };
}

async function handle(line) {
  let req;
  try { req = JSON.parse(line); } catch (e) { return { id: null, ok: false, error: 'bad JSON request: ' + e.message }; }
  try {
    if (req.op === 'info') return { id: req.id, ok: true, ...info() };
    if (req.op === 'run') return { id: req.id, ...(await run(req)) };
    return { id: req.id, ok: false, error: `unknown op '${req.op}', expected info or run` };
  } catch (e) {
    return { id: req.id, ok: false, error: String(e && e.stack || e) };
  }
}

// Requests are handled one at a time, in order. stdin is read with blocking fs.readSync between requests: an
// async stdin reader ('data' events or readline) makes Dawn crash (SIGSEGV in mapAsync) in this Node/Dawn pairing.
const chunk = Buffer.alloc(1 << 20);
let pending = Buffer.alloc(0); // bytes after the last line handed out
function readLine() {
  const parts = [];          // a long line arrives in many pipe-sized reads: join once, at its end
  let rest = pending;
  for (;;) {
    const nl = rest.indexOf(10);
    if (nl >= 0) {
      parts.push(rest.subarray(0, nl));
      pending = Buffer.from(rest.subarray(nl + 1));
      return Buffer.concat(parts).toString('utf8');
    }
    parts.push(rest);
    let n;
    try {
      n = fs.readSync(0, chunk, 0, chunk.length, null);
    } catch (e) {
      if (e.code === 'EAGAIN') { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1); rest = Buffer.alloc(0); continue; }
      if (e.code === 'EOF') n = 0; else throw e;
    }
    if (n === 0) {
      pending = Buffer.alloc(0);
      const line = Buffer.concat(parts);
      return line.length ? line.toString('utf8') : null;
    }
    rest = Buffer.from(chunk.subarray(0, n));
  }
}

for (let line; (line = readLine()) !== null; ) {
  if (!line.trim()) continue;
  fs.writeSync(1, JSON.stringify(await handle(line)) + '\n');
}
device.destroy();
process.exit(0);
