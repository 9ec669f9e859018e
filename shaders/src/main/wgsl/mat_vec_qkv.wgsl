// MAT_VEC_QKV — q, k, v = wq·x̂ + bq, wk·x̂ + bk, wv·x̂ + bv in one launch: the attention's input side of decode. The
//   three weights lie in one shard (each 256-byte aligned, any order), bound as one range `w`; x̂ = rmsNorm(x)·g
//   when norm (the attention norm folded in, see mat_vec_rows.wgsl), else x; the biases (Qwen2) when bias, bound
//   as one range `b` of f32.
// Reference: dev.kiln.reference.Ops.rmsNorm, then Ops.matVec of each of wq, wk, wv (row-major, rows × cols), then
//   Ops.add of each bias.
// Threads: the qRows + 2·kvRows output rows, q's then k's then v's, four per team (mat_vec_team.wgsl), p.teams teams
//   per workgroup: team j of workgroup i (= wid.y·nwg.x + wid.x) computes rows 4m..4m+3, m = i·teams + j, with
//   dot_rows (the four may belong to different tensors: each has its own start and scales); its lane k < 4 writes
//   row 4m + k to q, k or v.
// Precision: f32 products and sums on F16 and F32 (the weight prelude dequantizes to f32); the bias added in f32.
// Bindings:
@group(0) @binding(0) var<storage, read> w: array<u32>;         // wq, wk, wv in the weight dtype, one range
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;   // (cols) input, bound in whole vec4s
@group(0) @binding(2) var<storage, read> g: array<vec4<f32>>;   // (cols) attention norm weight; any buffer when norm is 0
@group(0) @binding(3) var<storage, read> b: array<f32>;         // bq, bk, bv as one f32 range; any buffer when bias is 0
@group(0) @binding(4) var<storage, read_write> q: array<f32>;   // (qRows) queries
@group(0) @binding(5) var<storage, read_write> k: array<f32>;   // (kvRows) keys
@group(0) @binding(6) var<storage, read_write> v: array<f32>;   // (kvRows) values
@group(0) @binding(7) var<uniform> p: Params;

struct Params {
    qRows: u32,    // rows of wq
    kvRows: u32,   // rows of wk and of wv
    cols: u32,     // columns of all three = length of x
    norm: u32,     // 1: x̂ = rmsNorm(x)·g, 0: x̂ = x
    eps: f32,      // the norm's epsilon
    bias: u32,     // 1: add bq, bk, bv from b
    qStart: u32,   // element of wq's first weight in w
    kStart: u32,   // … of wk's
    vStart: u32,   // … of wv's
    qScales: u32,  // the weight prelude's scales argument for wq (q8, q4), else 0
    kScales: u32,  // … for wk
    vScales: u32,  // … for wv
    qBias: u32,    // float index of bq's first element in b
    kBias: u32,    // … of bk's
    vBias: u32,    // … of bv's
    teams: u32,    // teams per workgroup, each four rows
}

const WG: u32 = 64u;

// Row r of the concatenation (q's rows, then k's, then v's): which tensor (0, 1, 2) and the row within it.
fn locate(r: u32) -> vec2<u32> {
    if (r < p.qRows) { return vec2<u32>(0u, r); }
    if (r < p.qRows + p.kvRows) { return vec2<u32>(1u, r - p.qRows); }
    return vec2<u32>(2u, r - p.qRows - p.kvRows);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, inv: Invocation) {
    let wg = wid.y * nwg.x + wid.x;
    let total = p.qRows + 2u * p.kvRows;
    let starts = vec3<u32>(p.qStart, p.kStart, p.vStart);
    let scaleArgs = vec3<u32>(p.qScales, p.kScales, p.vScales);
    for (var j = team_index(inv); j < p.teams; j += team_count(inv)) {
        let first = (wg * p.teams + j) * 4u;
        if (first >= total) { break; } // the whole team leaves together: its sums stay uniform
        var base: vec4<u32>;
        var scales: vec4<u32>;
        for (var r = 0u; r < 4u; r++) {
            let at = locate(min(first + r, total - 1u)); // rows past the end read the last row; their sums are dropped
            base[r] = starts[at.x] + at.y * p.cols;
            scales[r] = scaleArgs[at.x];
        }
        let sums = dot_rows(inv, base, scales, p.cols, p.norm, p.eps);

        let lane = team_lane(inv);
        if (lane < 4u && first + lane < total) {
            let at = locate(first + lane);
            var s = sums[lane];
            if (p.bias == 1u) { s += b[vec3<u32>(p.qBias, p.kBias, p.vBias)[at.x] + at.y]; }
            switch (at.x) {
                case 0u: { q[at.y] = s; }
                case 1u: { k[at.y] = s; }
                default: { v[at.y] = s; }
            }
        }
    }
}
