// EMBED — x[r, i] = W[tokens[pos + r], i]: row tokens[pos + r] of token_embd, dequantized, for i < dim and each row
//   r < step.rows (one per token; a block of prompt positions in prefill).
// Reference: dev.kiln.quant.Dequant.row (the CPU forward's embedding lookup).
// Threads: one invocation per element g = (wid.y·nwg.x + wid.x)·WG + t of (rows, dim); ⌈rows·dim / WG⌉ workgroups;
//   rows at or past step.rows write nothing.
// Precision: the weight prelude dequantizes to f32; x is f32 on F16 and F32.
// Bindings:
@group(0) @binding(0) var<storage, read> tokens: array<u32>;   // (context) token ids
@group(0) @binding(1) var<storage, read> w: array<u32>;        // (vocab, dim) token_embd in the weight dtype
@group(0) @binding(2) var<storage, read_write> x: array<f32>;  // (rows, dim) residual stream
@group(0) @binding(3) var<uniform> step: Step;
@group(0) @binding(4) var<uniform> p: Params;

struct Step {
    pos: u32,   // position of the (first) token being processed (0-based)
    rows: u32,  // positions from pos on that this submit processes: 1 per token, the block's rows in prefill
}

struct Params {
    dim: u32,        // width of one embedding row = length of a row of x
    scaleWord: u32,  // word offset of the scale section in w (q8, q4), else 0
    rows: u32,       // rows of x the grid covers (1 in decode, the block size in prefill)
}

const WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
    let g = (wid.y * nwg.x + wid.x) * WG + t;
    let r = g / p.dim;
    if (r >= min(step.rows, p.rows)) { return; }
    let token = tokens[step.pos + r];
    x[g] = w_at(token * p.dim + g % p.dim, p.scaleWord);
}
