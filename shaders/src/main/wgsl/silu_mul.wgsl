// SILU_MUL — hb[i] = silu(hb[i]) · hb2[i], silu(g) = g / (1 + e^−g): the SwiGLU gate.
// Reference: dev.kiln.reference.Ops.siluMul.
// Threads: one invocation per element i = (wid.y·nwg.x + wid.x)·WG + t; ⌈n / WG⌉ workgroups.
// Precision: f32 on F16 and F32 (for g → −∞, e^−g overflows to +∞ and silu gives −0, as on the CPU).
// Bindings:
@group(0) @binding(0) var<storage, read_write> hb: array<f32>;  // (n) gate in, result out
@group(0) @binding(1) var<storage, read> hb2: array<f32>;       // (n) up projection
@group(0) @binding(2) var<uniform> p: Params;

struct Params {
    n: u32,  // elements (the FFN width)
}

const WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
    let i = (wid.y * nwg.x + wid.x) * WG + t;
    if (i >= p.n) { return; }
    let g = hb[i];
    hb[i] = g / (1.0 + exp(-g)) * hb2[i];
}
