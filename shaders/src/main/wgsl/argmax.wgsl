// ARGMAX — tokens[pos + 1] = argmax_i logits[i], the lowest i among equal maxima (greedy sampling on the GPU).
// Reference: the first index of the maximum, as a CPU loop with `>` finds it (dev.kiln.sample greedy).
// Threads: one workgroup of WG; invocation t scans logits[t], logits[t + WG], … keeping its best (value, index);
//   the candidates meet in the reduction prelude's tree (reduce_best; beats and NONE come from there). Nothing is
//   written when pos + 1 is past the end of tokens.
// Precision: f32 comparisons only; the same on F16 and F32.
// Bindings:
@group(0) @binding(0) var<storage, read> logits: array<f32>;       // (n) logits
@group(0) @binding(1) var<storage, read_write> tokens: array<u32>; // (context) token ids
@group(0) @binding(2) var<uniform> step: Step;
@group(0) @binding(3) var<uniform> p: Params;

struct Step {
    pos: u32,   // position of the token whose logits these are (0-based)
    rows: u32,  // positions from pos on that this submit processes: 1 per token, the block's rows in prefill
}

struct Params {
    n: u32,  // logits (the vocabulary size)
}

const WG: u32 = 256u;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) t: u32) {
    var bv = 0.0;
    var bi = NONE;
    for (var i = t; i < p.n; i += WG) {
        let v = logits[i];
        if (beats(v, i, bv, bi)) { bv = v; bi = i; }
    }
    let best = reduce_best(t, bv, bi);
    if (t == 0u && step.pos + 1u < arrayLength(&tokens)) {
        tokens[step.pos + 1u] = best.index;
    }
}
