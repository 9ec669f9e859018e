// SOFTMAX — x[r, i] = e^(x[r, i] − m) / Σ_j e^(x[r, j] − m), m = max_j x[r, j], for each row r, in place.
// Reference: dev.kiln.reference.Ops.softmax.
// Threads: one workgroup of WG per row (row = wid.y·nwg.x + wid.x); invocation t owns elements t, t + WG, …;
//   the maximum and then the sum meet in the reduction prelude's trees (reduce_max, reduce_sum).
// Precision: f32 on F16 and F32; subtracting the maximum first means e^(…) ≤ 1 never overflows, and the sum ≥ 1.
// Bindings:
@group(0) @binding(0) var<storage, read_write> x: array<f32>;  // (rows, cols) values in, probabilities out
@group(0) @binding(1) var<uniform> p: Params;

struct Params {
    rows: u32,  // independent rows
    cols: u32,  // elements per row
}

const WG: u32 = 256u;
const LOWEST: f32 = -0x1.fffffep+127f; // the most negative finite f32

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
    let row = wid.y * nwg.x + wid.x;
    if (row >= p.rows) { return; }
    let base = row * p.cols;

    // m = max over the row
    var m = LOWEST;
    for (var i = t; i < p.cols; i += WG) { m = max(m, x[base + i]); }
    let rowMax = reduce_max(t, m);

    // e_i = exp(x_i − m), sum = Σ e_i
    var sum = 0.0;
    for (var i = t; i < p.cols; i += WG) {
        let e = exp(x[base + i] - rowMax);
        x[base + i] = e;
        sum += e;
    }
    let inv = 1.0 / reduce_sum(t, sum);
    for (var i = t; i < p.cols; i += WG) { x[base + i] *= inv; }
}
