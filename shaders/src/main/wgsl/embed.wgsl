// EMBED — x[i] = W[tokens[pos], i]: row tokens[pos] of token_embd, dequantized, for i < dim.
// Reference: dev.kiln.quant.Dequant.row (the CPU forward's embedding lookup).
// Threads: one invocation per element i = (wid.y·nwg.x + wid.x)·WG + t; ⌈dim / WG⌉ workgroups.
// Precision: the weight prelude dequantizes to f32; x is f32 on F16 and F32.
// Bindings:
@group(0) @binding(0) var<storage, read> tokens: array<u32>;   // (context) token ids
@group(0) @binding(1) var<storage, read> w: array<u32>;        // (vocab, dim) token_embd in the weight dtype
@group(0) @binding(2) var<storage, read_write> x: array<f32>;  // (dim) residual stream
@group(0) @binding(3) var<uniform> step: Step;
@group(0) @binding(4) var<uniform> p: Params;

struct Step {
    pos: u32,  // position of the token being processed (0-based)
}

struct Params {
    dim: u32,        // width of one embedding row = length of x
    scaleWord: u32,  // word offset of the scale section in w (q8, q4), else 0
}

const WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
    let i = (wid.y * nwg.x + wid.x) * WG + t;
    if (i >= p.dim) { return; }
    let token = tokens[step.pos];
    x[i] = w_at(token * p.dim + i, p.scaleWord);
}
