// MAT_VEC_QKV — q = wq·x, k = wk·x, v = wv·x in one launch: the three projections of decode, whose weights lie one
//   after another in one shard (each 256-byte aligned), bound as one range `w` from wq's first word to wv's last.
// Reference: dev.kiln.reference.Ops.matVec of each of wq, wk, wv (row-major, rows × cols).
// Threads: as MAT_VEC, one workgroup of WG per output row, g = wid.y·nwg.x + wid.x over qRows + 2·kvRows rows:
//   g < qRows is row g of wq, then kvRows rows of wk, then of wv. A tensor's element e is element start + e of the
//   range (start: its first element there), its scales at the word `scales` the Params give for it, so the weight
//   prelude reads all three as one tensor. 8-wide chunks + tail, partial sums in the reduction prelude's tree.
// Precision: the weight prelude dequantizes to f32; products and sums in f32 on F16 and F32.
// Bindings:
@group(0) @binding(0) var<storage, read> w: array<u32>;        // (wq, wk, wv) in the weight dtype, one range
@group(0) @binding(1) var<storage, read> x: array<f32>;        // (cols) input
@group(0) @binding(2) var<storage, read_write> q: array<f32>;  // (qRows) output of wq
@group(0) @binding(3) var<storage, read_write> k: array<f32>;  // (kvRows) output of wk
@group(0) @binding(4) var<storage, read_write> v: array<f32>;  // (kvRows) output of wv
@group(0) @binding(5) var<uniform> p: Params;

struct Params {
    qRows: u32,    // rows of wq
    kvRows: u32,   // rows of wk and of wv
    cols: u32,     // columns of all three = length of x
    qStart: u32,   // element index of wq's first element in w (0)
    kStart: u32,   // element index of wk's first element in w
    vStart: u32,   // element index of wv's first element in w
    qScales: u32,  // the scales argument of the weight prelude for wq (q8, q4), else 0
    kScales: u32,  // … for wk
    vScales: u32,  // … for wv
}

const WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
    let g = wid.y * nwg.x + wid.x;
    if (g >= p.qRows + 2u * p.kvRows) { return; } // the whole workgroup leaves together: barriers stay uniform
    var which = 0u;  // 0: q, 1: k, 2: v
    var row = g;
    var start = p.qStart;
    var scales = p.qScales;
    if (g >= p.qRows + p.kvRows) {
        which = 2u; row = g - p.qRows - p.kvRows; start = p.vStart; scales = p.vScales;
    } else if (g >= p.qRows) {
        which = 1u; row = g - p.qRows; start = p.kStart; scales = p.kScales;
    }
    let base = start + row * p.cols;
    let chunks = p.cols / 8u;

    var sum = 0.0;
    for (var c = t; c < chunks; c += WG) {
        let i = 8u * c;
        let xa = vec4<f32>(x[i], x[i + 1u], x[i + 2u], x[i + 3u]);
        let xb = vec4<f32>(x[i + 4u], x[i + 5u], x[i + 6u], x[i + 7u]);
        sum += w_dot8(base + i, scales, xa, xb);
    }
    for (var i = 8u * chunks + t; i < p.cols; i += WG) {
        sum += w_at(base + i, scales) * x[i];
    }

    let total = reduce_sum(t, sum); // WG → 1
    if (t == 0u) {
        if (which == 0u) { q[row] = total; } else if (which == 1u) { k[row] = total; } else { v[row] = total; }
    }
}
