// RMS_NORM — out[r, i] = x[r, i] · rsqrt(mean(x[r]²) + eps) · w[i], over the n elements of each of rows rows.
// Reference: dev.kiln.reference.Ops.rmsNorm.
// Threads: one workgroup of WG per row (r = wid.y·nwg.x + wid.x); invocation t sums the squares of x[t], x[t + WG], …; the partial sums meet in the
//   reduction prelude's tree (reduce_sum: pairwise, so the error grows with log n, not n); then every invocation
//   scales its elements.
// Precision: f32 throughout on F16 and F32. x and out must be different buffers (WebGPU forbids aliasing a
//   read_write binding).
// Bindings:
@group(0) @binding(0) var<storage, read> x: array<f32>;          // (rows, n) input
@group(0) @binding(1) var<storage, read> w: array<f32>;          // (n) norm weight
@group(0) @binding(2) var<storage, read_write> out: array<f32>;  // (rows, n) output
@group(0) @binding(3) var<uniform> p: Params;

struct Params {
    n: u32,    // elements
    eps: f32,  // added to the mean square before the square root
    rows: u32, // rows normed (1 in decode, the block size in prefill: rows are independent)
}

const WG: u32 = 256u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
    let r = wid.y * nwg.x + wid.x;
    if (r >= p.rows) { return; } // the whole workgroup leaves together: barriers stay uniform
    let o = r * p.n;
    var ss = 0.0;
    for (var i = t; i < p.n; i += WG) { ss += x[o + i] * x[o + i]; }

    let scale = inverseSqrt(reduce_sum(t, ss) / f32(p.n) + p.eps);
    for (var i = t; i < p.n; i += WG) { out[o + i] = x[o + i] * scale * w[i]; }
}
