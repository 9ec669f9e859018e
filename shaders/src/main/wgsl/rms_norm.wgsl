// RMS_NORM — out[i] = x[i] · rsqrt(mean(x²) + eps) · w[i], over n elements.
// Reference: dev.kiln.reference.Ops.rmsNorm.
// Threads: one workgroup of WG; invocation t sums the squares of x[t], x[t + WG], …; the partial sums meet in the
//   reduction prelude's tree (reduce_sum: pairwise, so the error grows with log n, not n); then every invocation
//   scales its elements.
// Precision: f32 throughout on F16 and F32. x and out must be different buffers (WebGPU forbids aliasing a
//   read_write binding).
// Bindings:
@group(0) @binding(0) var<storage, read> x: array<f32>;          // (n) input
@group(0) @binding(1) var<storage, read> w: array<f32>;          // (n) norm weight
@group(0) @binding(2) var<storage, read_write> out: array<f32>;  // (n) output
@group(0) @binding(3) var<uniform> p: Params;

struct Params {
    n: u32,    // elements
    eps: f32,  // added to the mean square before the square root
}

const WG: u32 = 256u;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) t: u32) {
    var ss = 0.0;
    for (var i = t; i < p.n; i += WG) { ss += x[i] * x[i]; }

    let scale = inverseSqrt(reduce_sum(t, ss) / f32(p.n) + p.eps);
    for (var i = t; i < p.n; i += WG) { out[i] = x[i] * scale * w[i]; }
}
