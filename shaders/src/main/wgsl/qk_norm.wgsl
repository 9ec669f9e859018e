// QK_NORM — per-head RMSNorm of q and k in place (Qwen3, before RoPE): for each head h of headSize elements,
//   x_h[i] ← x_h[i] · rsqrt(mean(x_h²) + eps) · w[i], with one weight vector per tensor (qNorm for the q heads,
//   kNorm for the k heads) shared by all its heads.
// Reference: dev.kiln.reference.Ops.headRmsNorm on q (heads) and on k (kvHeads).
// Threads: one workgroup of WG per head: workgroup g < heads norms q head g, the next kvHeads norm the k heads
//   (g = wid.y·nwg.x + wid.x). Invocation t sums the squares of elements t, t + WG, … of its head; the partial sums
//   meet in the reduction prelude's tree (reduce_sum); then every invocation scales the elements it read (in place: each element is read
//   and written by the same invocation, after the barrier).
//   A prefill block of rows positions is rows·heads q heads and rows·kvHeads k heads: the (rows, heads, headSize)
//   layout is one head after another, so the Params count heads over all rows.
// Precision: f32 on F16 and F32.
// Bindings:
@group(0) @binding(0) var<storage, read_write> q: array<f32>;  // (heads, headSize) queries, normed in place
@group(0) @binding(1) var<storage, read_write> k: array<f32>;  // (kvHeads, headSize) keys, normed in place
@group(0) @binding(2) var<storage, read> qNorm: array<f32>;    // (headSize) attn_q_norm weight
@group(0) @binding(3) var<storage, read> kNorm: array<f32>;    // (headSize) attn_k_norm weight
@group(0) @binding(4) var<uniform> p: Params;

struct Params {
    heads: u32,     // query heads
    kvHeads: u32,   // key heads
    headSize: u32,  // elements per head
    eps: f32,       // added to the mean square before the square root
}

const WG: u32 = 64u;

// Element i of head g: q heads first, then k heads.
fn load(g: u32, i: u32) -> f32 {
    if (g < p.heads) { return q[g * p.headSize + i]; }
    return k[(g - p.heads) * p.headSize + i];
}

fn store(g: u32, i: u32, value: f32) {
    if (g < p.heads) { q[g * p.headSize + i] = value * qNorm[i]; }
    else { k[(g - p.heads) * p.headSize + i] = value * kNorm[i]; }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
    let g = wid.y * nwg.x + wid.x;
    if (g >= p.heads + p.kvHeads) { return; } // the whole workgroup leaves together: barriers stay uniform

    var ss = 0.0;
    for (var i = t; i < p.headSize; i += WG) { let x = load(g, i); ss += x * x; }

    let scale = inverseSqrt(reduce_sum(t, ss) / f32(p.headSize) + p.eps);
    for (var i = t; i < p.headSize; i += WG) { store(g, i, load(g, i) * scale); }
}
