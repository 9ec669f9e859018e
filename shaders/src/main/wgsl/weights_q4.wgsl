// Weight prelude — q4: eight 4-bit quants per word (element 8i+j in bits 4j..4j+3), then the scale section: one
// f16 per group of 32 consecutive elements, two per word (group 2j in the low half). value = scale · (q − 8).
// Diagram: dev.kiln.quant.Q4 (the CPU twin).
// Contract shared by every weights_*.wgsl (see Wgsl's javadoc), over the kernel's `w: array<u32>` binding:
//   w_at(e, scales)            element e of the row-major tensor, as f32
//   w_dot8(e, scales, xa, xb)  Σ_j W[e + j] · (xa ++ xb)[j] for j < 8; e a multiple of 8 (rows are 32·n long)
//   w_dot16(e, scales, x0, x1, x2, x3)  Σ_j W[e + j] · (x0 ++ x1 ++ x2 ++ x3)[j] for j < 16; e a multiple of 16 (rows are 32·n long)
//   w_unpack8(e, scales)       elements e..e+7 as f32, (lo, hi) = ([e..e+3], [e+4..e+7]); e a multiple of 8: one word
//                              and one scale read for 8 weights, each equal to w_at's
// `scales` is the scale section's word offset (DType.Q4.scaleOffset / 4).

const Q4_MASK = vec4<u32>(0xfu);
const Q4_ZERO = vec4<f32>(8.0);

fn w_scale(e: u32, scales: u32) -> f32 {
    let g = e / 32u;
    return unpack2x16float(w[scales + (g >> 1u)])[g & 1u];
}

fn w_at(e: u32, scales: u32) -> f32 {
    let q = (w[e >> 3u] >> (4u * (e & 7u))) & 0xfu;
    return w_scale(e, scales) * (f32(q) - 8.0);
}

fn w_dot8(e: u32, scales: u32, xa: vec4<f32>, xb: vec4<f32>) -> f32 {
    let word = w[e >> 3u];
    let lo = vec4<f32>((vec4<u32>(word) >> vec4<u32>(0u, 4u, 8u, 12u)) & Q4_MASK) - Q4_ZERO;
    let hi = vec4<f32>((vec4<u32>(word) >> vec4<u32>(16u, 20u, 24u, 28u)) & Q4_MASK) - Q4_ZERO;
    return w_scale(e, scales) * (dot(lo, xa) + dot(hi, xb));
}

// One scale for the 16 elements (a whole half of a 32-element group): two words, 16 quants.
fn w_dot16(e: u32, scales: u32, x0: vec4<f32>, x1: vec4<f32>, x2: vec4<f32>, x3: vec4<f32>) -> f32 {
    let i = e >> 3u;
    let a = vec4<u32>(w[i]);
    let b = vec4<u32>(w[i + 1u]);
    let lo = vec4<u32>(0u, 4u, 8u, 12u);
    let hi = vec4<u32>(16u, 20u, 24u, 28u);
    let d = dot(vec4<f32>((a >> lo) & Q4_MASK) - Q4_ZERO, x0) + dot(vec4<f32>((a >> hi) & Q4_MASK) - Q4_ZERO, x1)
          + dot(vec4<f32>((b >> lo) & Q4_MASK) - Q4_ZERO, x2) + dot(vec4<f32>((b >> hi) & Q4_MASK) - Q4_ZERO, x3);
    return w_scale(e, scales) * d;
}

fn w_unpack8(e: u32, scales: u32) -> array<vec4<f32>, 2> {
    let word = vec4<u32>(w[e >> 3u]);
    let s = w_scale(e, scales);
    let lo = vec4<f32>((word >> vec4<u32>(0u, 4u, 8u, 12u)) & Q4_MASK) - Q4_ZERO;
    let hi = vec4<f32>((word >> vec4<u32>(16u, 20u, 24u, 28u)) & Q4_MASK) - Q4_ZERO;
    return array<vec4<f32>, 2>(s * lo, s * hi);
}
