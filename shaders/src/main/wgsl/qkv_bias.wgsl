// QKV_BIAS — q += bq, k += bk, v += bv: the projection biases of Qwen2/2.5, one dispatch for all three, on each of
//   rows rows (one per position of a prefill block; 1 in decode).
// Reference: dev.kiln.reference.Ops.addBias on q (qDim), k and v (kvDim).
// Threads: one invocation per element of q ++ k ++ v (all rows), i = (wid.y·nwg.x + wid.x)·WG + t;
//   ⌈rows·(qDim + 2·kvDim) / WG⌉ workgroups.
// Precision: f32 on F16 and F32 (the packager keeps 1-D tensors in f32).
// Bindings:
@group(0) @binding(0) var<storage, read_write> q: array<f32>;  // (rows, heads·headSize) queries
@group(0) @binding(1) var<storage, read_write> k: array<f32>;  // (rows, kvHeads·headSize) keys
@group(0) @binding(2) var<storage, read_write> v: array<f32>;  // (rows, kvHeads·headSize) values
@group(0) @binding(3) var<storage, read> bq: array<f32>;       // (heads·headSize) attn_q_bias
@group(0) @binding(4) var<storage, read> bk: array<f32>;       // (kvHeads·headSize) attn_k_bias
@group(0) @binding(5) var<storage, read> bv: array<f32>;       // (kvHeads·headSize) attn_v_bias
@group(0) @binding(6) var<uniform> p: Params;

struct Params {
    qDim: u32,   // elements of q
    kvDim: u32,  // elements of k (and of v)
    rows: u32,   // rows of q, k and v (rows are independent)
}

const WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
    let i = (wid.y * nwg.x + wid.x) * WG + t;
    let qAll = p.rows * p.qDim;
    let kvAll = p.rows * p.kvDim;
    if (i < qAll) { q[i] += bq[i % p.qDim]; return; }
    let j = i - qAll;
    if (j < kvAll) { k[j] += bk[j % p.kvDim]; return; }
    let u = j - kvAll;
    if (u < kvAll) { v[u] += bv[u % p.kvDim]; }
}
