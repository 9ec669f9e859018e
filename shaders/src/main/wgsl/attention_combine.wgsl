// ATTENTION_COMBINE — merges ATTENTION's chunks of each query head (flash-decoding's second half):
//   M = max_c m_c;  out_h = Σ_c e^(m_c − M) · o_c / Σ_c e^(m_c − M) · l_c  over the chunks c ≤ pos / CHUNK.
// Reference: dev.kiln.reference.Ops.attention (with ATTENTION: the merge is exact algebra, f32 rounding aside).
// Threads: one workgroup of WG per query head (h = wid.y·nwg.x + wid.x); invocation t takes dimensions t, t + WG, …
//   and walks the chunks itself (at most ⌈context / CHUNK⌉: few).
// Precision: f32.
// Bindings:
@group(0) @binding(0) var<storage, read> part: array<f32>;        // (heads, splits, headSize + 2): m, l, then o
@group(0) @binding(1) var<storage, read_write> out: array<f32>;   // (heads, headSize) attention output
@group(0) @binding(2) var<uniform> step: Step;
@group(0) @binding(3) var<uniform> p: Params;

struct Step {
    pos: u32,   // position of the query (0-based)
    rows: u32,  // 1 (decode)
}

struct Params {
    heads: u32,     // query heads
    headSize: u32,  // elements per head
    splits: u32,    // chunks per head in `part`
}

const WG: u32 = 64u;
const CHUNK: u32 = 256u; // as attention.wgsl

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
    let h = wid.y * nwg.x + wid.x;
    if (h >= p.heads) { return; }
    let hs = p.headSize;
    let stride = hs + 2u;
    let first = h * p.splits * stride;
    let chunks = step.pos / CHUNK + 1u;
    var top = part[first];
    for (var c = 1u; c < chunks; c++) { top = max(top, part[first + c * stride]); }
    var den = 0.0;
    for (var c = 0u; c < chunks; c++) { den += exp(part[first + c * stride] - top) * part[first + c * stride + 1u]; }
    for (var d = t; d < hs; d += WG) {
        var num = 0.0;
        for (var c = 0u; c < chunks; c++) {
            let at = first + c * stride;
            num += exp(part[at] - top) * part[at + 2u + d];
        }
        out[h * hs + d] = num / den;
    }
}
