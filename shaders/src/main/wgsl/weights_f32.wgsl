// Weight prelude — f32: element e is word e of `w`, reinterpreted (bitcast). No scale section.
// Contract shared by every weights_*.wgsl (see Wgsl's javadoc), over the kernel's `w: array<u32>` binding:
//   w_at(e, scales)            element e of the row-major tensor, as f32
//   w_dot8(e, scales, xa, xb)  Σ_j W[e + j] · (xa ++ xb)[j] for j < 8; e..e+7 lie in one row
//   w_dot16(e, scales, x0, x1, x2, x3)  Σ_j W[e + j] · (x0 ++ x1 ++ x2 ++ x3)[j] for j < 16; e..e+15 lie in one row
//   w_unpack8(e, scales)       elements e..e+7 as f32, (lo, hi) = ([e..e+3], [e+4..e+7]); e..e+7 lie in the tensor
// `scales` is the scale section's word offset (unused here). CPU twin: dev.kiln.quant.Dequant (F32).

fn w_at(e: u32, scales: u32) -> f32 {
    return bitcast<f32>(w[e]);
}

fn w_dot8(e: u32, scales: u32, xa: vec4<f32>, xb: vec4<f32>) -> f32 {
    let u = w_unpack8(e, scales);
    return dot(u[0], xa) + dot(u[1], xb);
}

fn w_dot16(e: u32, scales: u32, x0: vec4<f32>, x1: vec4<f32>, x2: vec4<f32>, x3: vec4<f32>) -> f32 {
    return w_dot8(e, scales, x0, x1) + w_dot8(e + 8u, scales, x2, x3);
}

fn w_unpack8(e: u32, scales: u32) -> array<vec4<f32>, 2> {
    let a = bitcast<vec4<f32>>(vec4<u32>(w[e], w[e + 1u], w[e + 2u], w[e + 3u]));
    let b = bitcast<vec4<f32>>(vec4<u32>(w[e + 4u], w[e + 5u], w[e + 6u], w[e + 7u]));
    return array<vec4<f32>, 2>(a, b);
}
