// MAT_VEC — the decode projections, four weight rows per team of invocations, with the neighbours of a mat-vec fused in:
//   mode 0  y = A·x̂                       (Q/K/V when not fused, the LM head)
//   mode 1  y += A·x̂                      (wo and w2: the residual add)
//   mode 2  y = silu(A·x̂) · (B·x̂)         (w1 = A and w3 = B of the SwiGLU FFN, both in one bound range)
//   mode 3  y = silu(y) · (A·x̂)           (w3 alone, the gate w1·x already in y)
//   x̂ = x, or rmsNorm(x)·g when norm (the RMSNorm before the projection folded in: see mat_vec_rows.wgsl).
// Reference: dev.kiln.reference.Ops.rmsNorm, Ops.matVec (W row-major, rows × cols; cols is the reduced dimension),
//   Ops.siluMul.
// Threads: each workgroup holds p.teams teams of rows (mat_vec_team.wgsl: the whole workgroup, or one subgroup, per
//   team); team j of workgroup i (= wid.y·nwg.x + wid.x, spread over y past 65535) computes outputs 4m..4m+3 with
//   m = i·teams + j (modes 0, 1, 3), or 2m, 2m + 1 (mode 2: rows 2m, 2m + 1 of A and of B): four weight rows share
//   every load of x (dot_rows); its lane k < 4 (< 2) writes output k.
// Precision: f32 products and sums on F16 and F32 (the weight prelude dequantizes to f32).
// Bindings:
@group(0) @binding(0) var<storage, read> w: array<u32>;         // A (rows, cols), and in mode 2 B, in the weight dtype
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;   // (cols) input, bound in whole vec4s
@group(0) @binding(2) var<storage, read> g: array<vec4<f32>>;   // (cols) norm weight; any buffer when norm is 0
@group(0) @binding(3) var<storage, read_write> y: array<f32>;   // (rows) output
@group(0) @binding(4) var<uniform> p: Params;

struct Params {
    rows: u32,     // outputs = rows of A (and of B)
    cols: u32,     // columns of A = length of x
    mode: u32,     // 0 set, 1 accumulate, 2 SwiGLU pair, 3 gate in y (above)
    norm: u32,     // 1: x̂ = rmsNorm(x)·g, 0: x̂ = x
    eps: f32,      // the norm's epsilon
    aStart: u32,   // element of A's first weight in w
    aScales: u32,  // the weight prelude's scales argument for A
    bStart: u32,   // mode 2: element of B's first weight in w
    bScales: u32,  // mode 2: scales argument for B
    teams: u32,    // teams per workgroup, each four outputs (two in mode 2)
}

const WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, inv: Invocation) {
    let wg = wid.y * nwg.x + wid.x;
    let pair = p.mode == 2u;
    let outputs = select(4u, 2u, pair);
    let rowsOf = select(vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(0u, 1u, 0u, 1u), pair);
    let start = select(vec4<u32>(p.aStart), vec4<u32>(p.aStart, p.aStart, p.bStart, p.bStart), pair);
    let scales = select(vec4<u32>(p.aScales), vec4<u32>(p.aScales, p.aScales, p.bScales, p.bScales), pair);
    for (var j = team_index(inv); j < p.teams; j += team_count(inv)) {
        let first = (wg * p.teams + j) * outputs;
        if (first >= p.rows) { break; } // the whole team leaves together: its sums stay uniform
        // rows past the end read the last row; their sums are dropped
        let rows = min(vec4<u32>(first) + rowsOf, vec4<u32>(p.rows - 1u));
        let sums = dot_rows(inv, start + rows * p.cols, scales, p.cols, p.norm, p.eps);

        let k = team_lane(inv);
        let r = first + k;
        if (k < outputs && r < p.rows) {
            let s = sums[k];
            switch (p.mode) {
                case 1u: { y[r] += s; }
                case 2u: { y[r] = silu(s) * sums[k + 2u]; }
                case 3u: { y[r] = silu(y[r]) * s; }
                default: { y[r] = s; }
            }
        }
    }
}

fn silu(g: f32) -> f32 { return g / (1.0 + exp(-g)); } // as silu_mul.wgsl: −0 for g → −∞
