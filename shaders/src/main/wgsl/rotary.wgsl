// Rotary prelude — RoPE's rotation, shared by the kernels that rotate (Kernel.rotates(): ROPE, ATTENTION; Wgsl adds
// it before the kernel file). Contract: the kernel declares `freqs: array<f32>` (headSize/2 inverse frequencies of
// dev.kiln.model.RopeFrequencies, the model's scaling already applied).
//   rotation(pos, i, scale)       (cos θ, sin θ)·scale for θ = pos·freqs[i]; scale is LongRoPE's attention factor
//                                 (transformers multiplies it into cos and sin), 1 for every other model
//   rope_pair(i, style, headSize) the elements (a, b) of pair i within a head: (2i, 2i+1) for style 0 (interleaved,
//                                 llama.cpp's GGUF llama), (i, i + headSize/2) for style 1 (half split, NeoX)
//   rotate(x, cs)                 (x_a·cos − x_b·sin, x_a·sin + x_b·cos)
// Precision: the angle pos·freqs[i] in f32 (one rounding; the table is the f32 the CPU uses), reduced into [−π, π]
//   with a two-part 2π before cos/sin (WGSL bounds their error only there). CPU twin: dev.kiln.reference.Ops.rope.

const TWO_PI_HI: f32 = 6.28125;                // 2π to 8 significant bits: k·TWO_PI_HI is exact for k < 2^16
const TWO_PI_LO: f32 = 1.9353071795864769e-3;  // 2π − TWO_PI_HI
const INV_TWO_PI: f32 = 0.15915494309189535;

fn rotation(pos: u32, i: u32, scale: f32) -> vec2<f32> {
    let angle = f32(pos) * freqs[i];
    let turns = round(angle * INV_TWO_PI);
    let r = (angle - turns * TWO_PI_HI) - turns * TWO_PI_LO;
    return vec2<f32>(cos(r), sin(r)) * scale;
}

fn rope_pair(i: u32, style: u32, headSize: u32) -> vec2<u32> {
    if (style == 0u) { return vec2<u32>(2u * i, 2u * i + 1u); }
    return vec2<u32>(i, i + headSize / 2u);
}

fn rotate(x: vec2<f32>, cs: vec2<f32>) -> vec2<f32> {
    return vec2<f32>(x.x * cs.x - x.y * cs.y, x.x * cs.y + x.y * cs.x);
}
