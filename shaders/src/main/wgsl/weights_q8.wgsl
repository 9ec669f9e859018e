// Weight prelude — q8: int8 quants, four per word (element 4i in the lowest byte), then the scale section: one f16
// per group of 32 consecutive elements, two per word (group 2j in the low half). value = scale · q.
// Contract shared by every weights_*.wgsl (see Wgsl's javadoc), over the kernel's `w: array<u32>` binding:
//   w_at(e, scales)            element e of the row-major tensor, as f32
//   w_dot8(e, scales, xa, xb)  Σ_j W[e + j] · (xa ++ xb)[j] for j < 8; e a multiple of 8 (rows are 32·n long)
//   w_dot16(e, scales, x0, x1, x2, x3)  Σ_j W[e + j] · (x0 ++ x1 ++ x2 ++ x3)[j] for j < 16; e a multiple of 16 (rows are 32·n long)
//   w_unpack8(e, scales)       elements e..e+7 as f32, (lo, hi) = ([e..e+3], [e+4..e+7]); e a multiple of 8: two
//                              words and one scale read for 8 weights, each equal to w_at's
// `scales` is the scale section's word offset (DType.Q8.scaleOffset / 4). CPU twin: dev.kiln.quant.Q8.

fn w_scale(e: u32, scales: u32) -> f32 {
    let g = e / 32u;
    return unpack2x16float(w[scales + (g >> 1u)])[g & 1u];
}

// The four int8 of a word, sign-extended: shift each byte to the top, then arithmetic-shift it back down.
fn q8x4(word: u32) -> vec4<f32> {
    let top = vec4<i32>(bitcast<i32>(word << 24u), bitcast<i32>(word << 16u), bitcast<i32>(word << 8u), bitcast<i32>(word));
    return vec4<f32>(top >> vec4<u32>(24u));
}

fn w_at(e: u32, scales: u32) -> f32 {
    let q = bitcast<i32>(w[e >> 2u] << (24u - 8u * (e & 3u))) >> 24u;
    return w_scale(e, scales) * f32(q);
}

fn w_dot8(e: u32, scales: u32, xa: vec4<f32>, xb: vec4<f32>) -> f32 {
    let i = e >> 2u;
    return w_scale(e, scales) * (dot(q8x4(w[i]), xa) + dot(q8x4(w[i + 1u]), xb));
}

// One scale for the 16 elements (half of a 32-element group): four words, 16 quants.
fn w_dot16(e: u32, scales: u32, x0: vec4<f32>, x1: vec4<f32>, x2: vec4<f32>, x3: vec4<f32>) -> f32 {
    let i = e >> 2u;
    return w_scale(e, scales) * (dot(q8x4(w[i]), x0) + dot(q8x4(w[i + 1u]), x1) + dot(q8x4(w[i + 2u]), x2)
                                 + dot(q8x4(w[i + 3u]), x3));
}

fn w_unpack8(e: u32, scales: u32) -> array<vec4<f32>, 2> {
    let i = e >> 2u;
    let s = w_scale(e, scales);
    return array<vec4<f32>, 2>(s * q8x4(w[i]), s * q8x4(w[i + 1u]));
}
