// ROPE — rotary position embedding at pos + r for each row r < step.rows (1 per token; a block of prompt positions
//   in prefill), then the KV-cache write:
//   for each head and pair (a, b) of dim index i < headSize/2, θ = pos · freqs[i]:
//   (x_a, x_b) ← s·(x_a·cos θ − x_b·sin θ, x_a·sin θ + x_b·cos θ); pairs are (2i, 2i+1) for style 0 (interleaved,
//   llama.cpp's GGUF llama) or (i, i + headSize/2) for style 1 (half split, NeoX). s = p.scale: LongRoPE's
//   attention factor (transformers multiplies it into cos and sin), 1 for every other model.
//   q and k are rotated in place (k as the CPU reference does, so a step trace sees it); rotated k and unchanged v
//   also go to kCache / vCache at layerOffset + pos·kvDim.
//   freqs are the inverse frequencies of dev.kiln.model.RopeFrequencies (base^(−2i/headSize), with the model's
//   scaling — linear, llama3 — already applied), uploaded once: no scaling type is known here.
// Reference: dev.kiln.reference.Ops.rope (with scale) on q and on k, then a copy into the cache row.
// Threads: one invocation per pair of a row: r = g / perRow, then j = g % perRow < heads·headSize/2 rotates a q pair,
//   the next kvHeads·headSize/2 a k pair (and stores that pair of k and v); g = (wid.y·nwg.x + wid.x)·WG + t.
// Precision: angles as the rotary prelude (rotary.wgsl) computes them; the cache stores kv (f16 on F16).
// Bindings:
@group(0) @binding(0) var<storage, read_write> q: array<f32>;     // (rows, heads, headSize) queries, rotated in place
@group(0) @binding(1) var<storage, read_write> k: array<f32>;     // (rows, kvHeads, headSize) keys, rotated in place
@group(0) @binding(2) var<storage, read> v: array<f32>;           // (rows, kvHeads, headSize) values
@group(0) @binding(3) var<storage, read> freqs: array<f32>;       // (headSize/2) inverse frequencies, scaling applied
@group(0) @binding(4) var<storage, read_write> kCache: array<kv>; // (layers, context, kvHeads·headSize) keys
@group(0) @binding(5) var<storage, read_write> vCache: array<kv>; // (layers, context, kvHeads·headSize) values
@group(0) @binding(6) var<uniform> step: Step;
@group(0) @binding(7) var<uniform> p: Params;

struct Step {
    pos: u32,   // position of the (first) token being processed (0-based)
    rows: u32,  // positions from pos on that this submit processes: 1 per token, the block's rows in prefill
}

struct Params {
    heads: u32,        // query heads
    kvHeads: u32,      // key/value heads
    headSize: u32,     // elements per head (even)
    style: u32,        // 0: pairs (2i, 2i+1); 1: pairs (i, i + headSize/2)
    layerOffset: u32,  // elements from the start of kCache/vCache to this layer's (context, kvDim) block
    scale: f32,        // multiplies rotated q and k (LongRoPE's attention factor; 1 otherwise)
    rows: u32,         // rows the grid covers (1 in decode, the block size in prefill); rows ≥ step.rows are skipped
}

const WG: u32 = 64u;
// Element indices (a, b) of pair i in head `head` (the rotary prelude's rope_pair within the head).
fn pair(head: u32, i: u32) -> vec2<u32> {
    return vec2<u32>(head * p.headSize) + rope_pair(i, p.style, p.headSize);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
    let g = (wid.y * nwg.x + wid.x) * WG + t;
    let half = p.headSize / 2u;
    let qPairs = p.heads * half;
    let perRow = qPairs + p.kvHeads * half;
    let row = g / perRow;
    if (row >= min(step.rows, p.rows)) { return; }
    let pos = step.pos + row;
    let j = g % perRow;
    if (j < qPairs) {
        let i = j % half;
        let ab = pair(j / half, i) + vec2<u32>(row * p.heads * p.headSize);
        let r = rotate(vec2<f32>(q[ab.x], q[ab.y]), rotation(pos, i, p.scale));
        q[ab.x] = r.x;
        q[ab.y] = r.y;
        return;
    }
    let kj = j - qPairs;
    let i = kj % half;
    let kvDim = p.kvHeads * p.headSize;
    let ab = pair(kj / half, i);          // within one row of k
    let at = ab + vec2<u32>(row * kvDim); // in the block's k and v
    let r = rotate(vec2<f32>(k[at.x], k[at.y]), rotation(pos, i, p.scale));
    k[at.x] = r.x;
    k[at.y] = r.y;
    let c = p.layerOffset + pos * kvDim;
    kCache[c + ab.x] = kv(r.x);
    kCache[c + ab.y] = kv(r.y);
    vCache[c + ab.x] = kv(v[at.x]);
    vCache[c + ab.y] = kv(v[at.y]);
}
