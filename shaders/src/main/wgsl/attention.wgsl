// ATTENTION — decode attention split over the cache (flash-decoding), RoPE and the KV-cache append folded in: query
//   head h at position pos over chunk c, the positions u in [c·CHUNK, min((c + 1)·CHUNK, pos + 1)):
//   q = rope(q_h, pos); at pos, k = rope(k, pos) and v, rounded to kv, also written to the cache (by the first query
//   head of each KV group); s_u = q · k_u / √headSize;
//   part(h, c) = (m = max s_u, l = Σ e^(s_u − m), o = Σ e^(s_u − m) · v_u); ATTENTION_COMBINE merges the chunks.
// Reference: dev.kiln.reference.Ops.rope on q and k, then Ops.attention (the chunk merge is exact algebra).
// Threads: one workgroup of WG per (query head, chunk) = (wid.x, wid.y); chunks past pos leave at once. The head's
//   rotated q (and k, v at pos) go to workgroup memory first; then (1) invocation t scores positions c·CHUNK + t,
//   + WG, … into `scores`, reduce_max; (2) e^(s − m), reduce_sum; (3) `span` = min(headSize, WG) lanes per dimension
//   block, WG / span invocations split the chunk's positions, their sums meet in the reduction prelude's `partial`.
// Precision: K and V are read as kv (f16 on F16) and widened — pos's own k and v rounded to kv as the cache holds
//   them; rotation as the rotary prelude; dot products, exponentials and sums in f32.
// Bindings:
@group(0) @binding(0) var<storage, read> q: array<f32>;           // (heads, headSize) queries, not yet rotated
@group(0) @binding(1) var<storage, read> k: array<f32>;           // (kvHeads, headSize) keys of pos, not yet rotated
@group(0) @binding(2) var<storage, read> v: array<f32>;           // (kvHeads, headSize) values of pos
@group(0) @binding(3) var<storage, read> freqs: array<f32>;       // (headSize/2) inverse frequencies, scaling applied
@group(0) @binding(4) var<storage, read_write> kCache: array<kv>; // (layers, context, kvHeads·headSize) keys
@group(0) @binding(5) var<storage, read_write> vCache: array<kv>; // (layers, context, kvHeads·headSize) values
@group(0) @binding(6) var<storage, read_write> part: array<f32>;  // (heads, splits, headSize + 2): m, l, then o
@group(0) @binding(7) var<uniform> step: Step;
@group(0) @binding(8) var<uniform> p: Params;

struct Step {
    pos: u32,   // position of the query (0-based); the cache holds positions 0..pos-1
    rows: u32,  // 1 (decode)
}

struct Params {
    heads: u32,        // query heads
    kvHeads: u32,      // key/value heads (divides heads)
    headSize: u32,     // elements per head (even, ≤ 256)
    splits: u32,       // chunks per head in `part`: ⌈context / CHUNK⌉
    layerOffset: u32,  // elements from the start of kCache/vCache to this layer's (context, kvDim) block
    style: u32,        // RoPE pairs: 0 (2i, 2i+1), 1 (i, i + headSize/2)
    scale: f32,        // multiplies rotated q and k (LongRoPE's attention factor; 1 otherwise)
}

const WG: u32 = 64u;
const CHUNK: u32 = 256u;     // cache positions per workgroup
const MAX_HEAD: u32 = 256u;
const LOWEST: f32 = -0x1.fffffep+127f; // the most negative finite f32

var<workgroup> qh: array<f32, MAX_HEAD>;   // the rotated query head
var<workgroup> kh: array<f32, MAX_HEAD>;   // k of pos, rotated, as kv
var<workgroup> vh: array<f32, MAX_HEAD>;   // v of pos, as kv
var<workgroup> scores: array<f32, CHUNK>;  // s_u, then e^(s_u − m)

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
    let h = wid.x;
    let c = wid.y;
    let pos = step.pos;
    let c0 = c * CHUNK;
    if (h >= p.heads || c0 > pos) { return; } // the whole workgroup leaves together: barriers stay uniform
    let c1 = min(c0 + CHUNK, pos + 1u);
    let hs = p.headSize;
    let group = p.heads / p.kvHeads;
    let kvDim = p.kvHeads * hs;
    let ko = (h / group) * hs;               // this head's KV head within a row of k, v and the cache
    let kvBase = p.layerOffset + ko;         // … within cache row 0 of this layer
    let holdsPos = c1 == pos + 1u;

    for (var i = t; i < hs / 2u; i += WG) {
        let cs = rotation(pos, i, p.scale);
        let ab = rope_pair(i, p.style, hs);
        let qr = rotate(vec2<f32>(q[h * hs + ab.x], q[h * hs + ab.y]), cs);
        qh[ab.x] = qr.x;
        qh[ab.y] = qr.y;
        if (holdsPos) {
            let kr = rotate(vec2<f32>(k[ko + ab.x], k[ko + ab.y]), cs);
            let ka = kv(kr.x);
            let kb = kv(kr.y);
            let va = kv(v[ko + ab.x]);
            let vb = kv(v[ko + ab.y]);
            kh[ab.x] = f32(ka);
            kh[ab.y] = f32(kb);
            vh[ab.x] = f32(va);
            vh[ab.y] = f32(vb);
            if (h % group == 0u) { // one writer per KV head; no workgroup of this dispatch reads cache row pos
                let at = kvBase + pos * kvDim;
                kCache[at + ab.x] = ka;
                kCache[at + ab.y] = kb;
                vCache[at + ab.x] = va;
                vCache[at + ab.y] = vb;
            }
        }
    }
    workgroupBarrier();

    // (1) scores and their maximum
    let scale = inverseSqrt(f32(hs));
    var m = LOWEST;
    for (var u = c0 + t; u < c1; u += WG) {
        var s = 0.0;
        if (u == pos) {
            for (var i = 0u; i < hs; i++) { s += qh[i] * kh[i]; }
        } else {
            let at = kvBase + u * kvDim;
            for (var i = 0u; i < hs; i++) { s += qh[i] * f32(kCache[at + i]); }
        }
        s *= scale;
        scores[u - c0] = s;
        m = max(m, s);
    }
    let mc = reduce_max(t, m);

    // (2) e^(s − m) and their sum
    var sum = 0.0;
    for (var u = c0 + t; u < c1; u += WG) {
        let e = exp(scores[u - c0] - mc);
        scores[u - c0] = e;
        sum += e;
    }
    let lc = reduce_sum(t, sum); // ends in a barrier: every e is in `scores`

    // (3) o[d] = Σ_u e_u · v_u[d], unnormalized
    let out = (h * p.splits + c) * (hs + 2u);
    let span = min(hs, WG);
    let parts = WG / span;
    let lane = t % span;
    let slice = t / span;
    for (var d0 = 0u; d0 < hs; d0 += span) {
        let d = d0 + lane;
        var acc = 0.0;
        if (d < hs) {
            for (var u = c0 + slice; u < c1; u += parts) {
                if (u == pos) { acc += scores[u - c0] * vh[d]; }
                else { acc += scores[u - c0] * f32(vCache[kvBase + u * kvDim + d]); }
            }
        }
        partial[t] = acc;
        workgroupBarrier();
        if (slice == 0u && d < hs) {
            var total = 0.0;
            for (var j = 0u; j < parts; j++) { total += partial[j * span + lane]; }
            part[out + 2u + d] = total;
        }
        workgroupBarrier();
    }
    if (t == 0u) {
        part[out] = mc;
        part[out + 1u] = lc;
    }
}
