// MAT_VEC — y = W·x, or y += W·x when accumulate (the residual add fused into wo and w2), or y = silu(y)·(W·x) when
//   gate (the SwiGLU gate fused into the up projection w3: y holds w1·x, silu(g) = g / (1 + e^−g)).
// Reference: dev.kiln.reference.Ops.matVec (W row-major, rows × cols; cols is the reduced dimension); gate: then
//   Ops.siluMul.
// Threads: one workgroup of WG invocations per row; row = wid.y·nwg.x + wid.x (spread over y past 65535 rows).
//   Invocation t takes the 8-wide chunks t, t + WG, … of the row (neighbours read neighbouring words), then the
//   cols % 8 tail element by element; the WG partial sums meet in the reduction prelude's tree (reduce_sum).
// Precision: the weight prelude (weights_<dtype>.wgsl) dequantizes to f32; products and sums in f32 on F16 and F32.
// Bindings:
@group(0) @binding(0) var<storage, read> w: array<u32>;        // (rows, cols) weights in the weight dtype
@group(0) @binding(1) var<storage, read> x: array<f32>;        // (cols) input
@group(0) @binding(2) var<storage, read_write> y: array<f32>;  // (rows) output
@group(0) @binding(3) var<uniform> p: Params;

struct Params {
    rows: u32,        // rows of W = length of y
    cols: u32,        // columns of W = length of x
    accumulate: u32,  // 1: y += W·x, 0: y = W·x
    scaleWord: u32,   // word offset of the scale section in w (q8, q4), else 0
    gate: u32,        // 1: y = silu(y)·(W·x) (y holds the gate), 0: as accumulate says
}

const WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
    let row = wid.y * nwg.x + wid.x;
    if (row >= p.rows) { return; } // the whole workgroup leaves together: barriers stay uniform
    let base = row * p.cols;
    let chunks = p.cols / 8u;

    var sum = 0.0;
    for (var c = t; c < chunks; c += WG) {
        let i = 8u * c;
        let xa = vec4<f32>(x[i], x[i + 1u], x[i + 2u], x[i + 3u]);
        let xb = vec4<f32>(x[i + 4u], x[i + 5u], x[i + 6u], x[i + 7u]);
        sum += w_dot8(base + i, p.scaleWord, xa, xb);
    }
    for (var i = 8u * chunks + t; i < p.cols; i += WG) {
        sum += w_at(base + i, p.scaleWord) * x[i];
    }

    let total = reduce_sum(t, sum); // WG → 1
    if (t == 0u) {
        let prior = select(0.0, y[row], p.accumulate == 1u);
        y[row] = select(prior + total, silu(y[row]) * total, p.gate == 1u);
    }
}

fn silu(g: f32) -> f32 { return g / (1.0 + exp(-g)); } // as silu_mul.wgsl: −0 for g → −∞
