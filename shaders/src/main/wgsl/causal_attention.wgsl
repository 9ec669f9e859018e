// CAUSAL_ATTENTION — for each row r < step.rows of a block (position pos = step.pos + r) and query head h (KV head
//   h / (heads / kvHeads)), over the cache positions t ≤ pos (the block's own keys included, stored by ROPE before):
//   s_t = q[r,h] · k_t / √headSize;  out[r,h] = Σ_t e^(s_t − max s) · v_t / Σ_t e^(s_t − max s).
// Reference: dev.kiln.reference.Ops.attention of each row at its own position (Ops.causalAttention).
// Threads: one workgroup of WG per (row, head), g = wid.y·nwg.x + wid.x = r·heads + h. Positions go in chunks of WG:
//   invocation t scores position u0 + t; the reduction prelude's reduce_max and reduce_sum give the chunk's max and
//   weight sum, and the running max, sum and output are rescaled when the max grows (online softmax: no scores are
//   stored). The chunk's weights go to the prelude's `partial`, then invocation t adds Σ_u e_u·v_u[d] for its
//   dimensions d = t, t + WG, … (headSize ≤ DIMS·WG). Any context length, no scratch buffer.
// Precision: K and V are read as kv (f16 on F16) and widened; dot products, exponentials and sums in f32.
// Bindings:
@group(0) @binding(0) var<storage, read> q: array<f32>;          // (rows, heads, headSize) rotated queries
@group(0) @binding(1) var<storage, read> kCache: array<kv>;      // (layers, context, kvHeads·headSize) keys
@group(0) @binding(2) var<storage, read> vCache: array<kv>;      // (layers, context, kvHeads·headSize) values
@group(0) @binding(3) var<storage, read_write> out: array<f32>;  // (rows, heads, headSize) attention output
@group(0) @binding(4) var<uniform> step: Step;
@group(0) @binding(5) var<uniform> p: Params;

struct Step {
    pos: u32,   // position of the block's first row; row r attends to cache positions 0..pos + r
    rows: u32,  // rows of this block that hold positions (≤ p.rows)
}

struct Params {
    rows: u32,         // rows the grid covers (the block size)
    heads: u32,        // query heads
    kvHeads: u32,      // key/value heads (divides heads)
    headSize: u32,     // elements per head (≤ DIMS·WG)
    layerOffset: u32,  // elements from the start of kCache/vCache to this layer's (context, kvDim) block
}

const WG: u32 = 64u;
const DIMS: u32 = 4u; // output dimensions per invocation: headSize ≤ 256
const LOWEST: f32 = -0x1.fffffep+127f; // the most negative finite f32

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
    let g = wid.y * nwg.x + wid.x;
    let r = g / p.heads;
    let h = g % p.heads;
    if (r >= min(step.rows, p.rows)) { return; } // the whole workgroup leaves together
    let hs = p.headSize;
    let kvDim = p.kvHeads * hs;
    let kvBase = p.layerOffset + (h / (p.heads / p.kvHeads)) * hs; // this head's slice of cache row 0
    let qo = (r * p.heads + h) * hs;
    let n = step.pos + r + 1u;
    let scale = inverseSqrt(f32(hs));

    var m = LOWEST;             // running max of the scores
    var l = 0.0;                // running Σ e^(s − m)
    var acc: array<f32, DIMS>;  // running Σ e^(s − m) · v[d] for d = t + WG·j
    for (var u0 = 0u; u0 < n; u0 += WG) {
        let u = u0 + t;
        var s = LOWEST;
        if (u < n) {
            var dot = 0.0;
            let ko = kvBase + u * kvDim;
            for (var i = 0u; i < hs; i++) { dot += q[qo + i] * f32(kCache[ko + i]); }
            s = dot * scale;
        }
        let mNew = max(m, reduce_max(t, s));
        let e = select(0.0, exp(s - mNew), u < n);
        let rescale = select(exp(m - mNew), 0.0, m == LOWEST); // nothing accumulated before the first chunk
        l = l * rescale + reduce_sum(t, e);
        partial[t] = e; // reduce_sum ended with a barrier: `partial` is free
        workgroupBarrier();
        let count = min(WG, n - u0);
        for (var j = 0u; j < DIMS; j++) {
            let d = t + WG * j;
            if (d < hs) {
                var a = acc[j] * rescale;
                for (var i = 0u; i < count; i++) { a += partial[i] * f32(vCache[kvBase + (u0 + i) * kvDim + d]); }
                acc[j] = a;
            }
        }
        workgroupBarrier(); // every invocation has read `partial` before the next chunk's reductions write it
        m = mNew;
    }
    let inv = 1.0 / l;
    for (var j = 0u; j < DIMS; j++) {
        let d = t + WG * j;
        if (d < hs) { out[qo + d] = acc[j] * inv; }
    }
}
