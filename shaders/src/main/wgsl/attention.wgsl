// ATTENTION — for query head h (KV head h / (heads / kvHeads)) at position pos, over t ≤ pos:
//   s_t = q_h · k_t / √headSize;  a_t = e^(s_t − max s) / Σ e^(s_u − max s);  out_h = Σ_t a_t · v_t.
// Reference: dev.kiln.reference.Ops.attention.
// Threads: one workgroup of WG per query head (h = wid.y·nwg.x + wid.x). (1) invocation t scores positions
//   t, t + WG, … into att and keeps their max; the reduction prelude's reduce_max gives the max. (2) the same
//   positions become e^(s − max), summed by reduce_sum. (3) output: `span` = min(headSize, WG) lanes per dimension
//   block, WG / span invocations split the positions of each dimension; their sums meet in the prelude's `partial`.
//   Any context length.
// Precision: K and V are read as kv (f16 on F16) and widened; dot products, exponentials and sums in f32.
// Bindings:
@group(0) @binding(0) var<storage, read> q: array<f32>;          // (heads, headSize) rotated queries
@group(0) @binding(1) var<storage, read> kCache: array<kv>;      // (layers, context, kvHeads·headSize) keys
@group(0) @binding(2) var<storage, read> vCache: array<kv>;      // (layers, context, kvHeads·headSize) values
@group(0) @binding(3) var<storage, read_write> att: array<f32>;  // (heads, context) scratch: scores, then weights
@group(0) @binding(4) var<storage, read_write> out: array<f32>;  // (heads, headSize) attention output
@group(0) @binding(5) var<uniform> step: Step;
@group(0) @binding(6) var<uniform> p: Params;

struct Step {
    pos: u32,   // position of the query (0-based); positions 0..pos of the cache are filled
    rows: u32,  // positions from pos on that this submit processes: 1 per token, the block's rows in prefill
}

struct Params {
    heads: u32,        // query heads
    kvHeads: u32,      // key/value heads (divides heads)
    headSize: u32,     // elements per head
    context: u32,      // length of one att row (≥ pos + 1)
    layerOffset: u32,  // elements from the start of kCache/vCache to this layer's (context, kvDim) block
}

const WG: u32 = 128u;
const LOWEST: f32 = -0x1.fffffep+127f; // the most negative finite f32

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
    let h = wid.y * nwg.x + wid.x;
    if (h >= p.heads) { return; }
    let hs = p.headSize;
    let kvDim = p.kvHeads * hs;
    let kvBase = p.layerOffset + (h / (p.heads / p.kvHeads)) * hs; // this head's slice of cache row 0
    let qo = h * hs;
    let ao = h * p.context;
    let n = step.pos + 1u;
    let scale = inverseSqrt(f32(hs));

    // (1) scores and their maximum
    var m = LOWEST;
    for (var u = t; u < n; u += WG) {
        var s = 0.0;
        let ko = kvBase + u * kvDim;
        for (var i = 0u; i < hs; i++) { s += q[qo + i] * f32(kCache[ko + i]); }
        s *= scale;
        att[ao + u] = s;
        m = max(m, s);
    }
    let maxScore = reduce_max(t, m);

    // (2) unnormalized weights e^(s − max) and their sum
    var sum = 0.0;
    for (var u = t; u < n; u += WG) {
        let e = exp(att[ao + u] - maxScore);
        att[ao + u] = e;
        sum += e;
    }
    let inv = 1.0 / reduce_sum(t, sum);
    storageBarrier(); // att written by every invocation is read across the workgroup below

    // (3) out[d] = inv · Σ_u e_u · v_u[d]
    let span = min(hs, WG);
    let parts = WG / span;
    let lane = t % span;
    let part = t / span;
    for (var d0 = 0u; d0 < hs; d0 += span) {
        let d = d0 + lane;
        var acc = 0.0;
        if (d < hs && part < parts) {
            for (var u = part; u < n; u += parts) { acc += att[ao + u] * f32(vCache[kvBase + u * kvDim + d]); }
        }
        partial[t] = acc;
        workgroupBarrier();
        if (part == 0u && d < hs) {
            var total = 0.0;
            for (var j = 0u; j < parts; j++) { total += partial[j * span + lane]; }
            out[qo + d] = total * inv;
        }
        workgroupBarrier();
    }
}
