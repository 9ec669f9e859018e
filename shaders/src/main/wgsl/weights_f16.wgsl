// Weight prelude — f16: two halves per word, element 2i in the low half; read with unpack2x16float, so this needs
// no shader-f16. Rows may be any length, so element e may start at an odd half (then 8 elements span 5 words).
// Contract shared by every weights_*.wgsl (see Wgsl's javadoc), over the kernel's `w: array<u32>` binding:
//   w_at(e, scales)            element e of the row-major tensor, as f32
//   w_dot8(e, scales, xa, xb)  Σ_j W[e + j] · (xa ++ xb)[j] for j < 8; e..e+7 lie in one row
//   w_dot16(e, scales, x0, x1, x2, x3)  Σ_j W[e + j] · (x0 ++ x1 ++ x2 ++ x3)[j] for j < 16; e..e+15 lie in one row
//   w_unpack8(e, scales)       elements e..e+7 as f32, (lo, hi) = ([e..e+3], [e+4..e+7]); e..e+7 lie in the tensor
// `scales` is unused (no scale section). CPU twin: dev.kiln.quant.Dequant (F16), dev.kiln.quant.Half.

fn w_at(e: u32, scales: u32) -> f32 {
    return unpack2x16float(w[e >> 1u])[e & 1u];
}

fn w_dot8(e: u32, scales: u32, xa: vec4<f32>, xb: vec4<f32>) -> f32 {
    let u = w_unpack8(e, scales);
    return dot(u[0], xa) + dot(u[1], xb);
}

fn w_dot16(e: u32, scales: u32, x0: vec4<f32>, x1: vec4<f32>, x2: vec4<f32>, x3: vec4<f32>) -> f32 {
    return w_dot8(e, scales, x0, x1) + w_dot8(e + 8u, scales, x2, x3);
}

fn w_unpack8(e: u32, scales: u32) -> array<vec4<f32>, 2> {
    let i = e >> 1u;
    let h0 = unpack2x16float(w[i]);
    let h1 = unpack2x16float(w[i + 1u]);
    let h2 = unpack2x16float(w[i + 2u]);
    let h3 = unpack2x16float(w[i + 3u]);
    if ((e & 1u) == 0u) {
        return array<vec4<f32>, 2>(vec4<f32>(h0, h1), vec4<f32>(h2, h3));
    }
    let h4 = unpack2x16float(w[i + 4u]);
    return array<vec4<f32>, 2>(vec4<f32>(h0.y, h1, h2.x), vec4<f32>(h2.y, h3, h4.x));
}
