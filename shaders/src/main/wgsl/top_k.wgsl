// TOP_K — the k largest logits in descending order (ties: lower index first) with their ids, for CPU sampling.
//   out = [pos, k, id_0, bits(logit_0), id_1, bits(logit_1), …]; pos stamps which step the candidates belong to.
// Reference: sort (logit descending, id ascending) and take k (dev.kiln.sample's top-k on the CPU).
// Threads: one workgroup of WG; k rounds of a cooperative argmax over the logits that rank after the previous
//   winner, each a strided scan plus the reduction prelude's tree (reduce_best; beats and NONE come from there):
//   k·n reads, fine for k ≤ 64 once per token.
// Precision: f32 comparisons only; the same on F16 and F32.
// Bindings:
@group(0) @binding(0) var<storage, read> logits: array<f32>;    // (n) logits
@group(0) @binding(1) var<storage, read_write> out: array<u32>; // (2 + 2k) pos, k, then (id, bitcast logit) pairs
@group(0) @binding(2) var<uniform> step: Step;
@group(0) @binding(3) var<uniform> p: Params;

struct Step {
    pos: u32,   // position of the token whose logits these are (0-based)
    rows: u32,  // positions from pos on that this submit processes: 1 per token, the block's rows in prefill
}

struct Params {
    n: u32,  // logits (the vocabulary size)
    k: u32,  // candidates to return, 1..64
}

const WG: u32 = 256u;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) t: u32) {
    var prevValue = 0.0;
    var prevIndex = NONE; // NONE in round 0: every logit is eligible
    for (var r = 0u; r < p.k; r++) {
        var bv = 0.0;
        var bi = NONE;
        for (var i = t; i < p.n; i += WG) {
            let v = logits[i];
            // eligible: ranks strictly after the previous winner in (value desc, index asc) order
            let after = prevIndex == NONE || beats(prevValue, prevIndex, v, i);
            if (after && beats(v, i, bv, bi)) { bv = v; bi = i; }
        }
        let best = reduce_best(t, bv, bi); // ends with a barrier: round r + 1 may reuse the tree
        prevValue = best.value;
        prevIndex = best.index;
        if (t == 0u) {
            out[2u + 2u * r] = prevIndex;
            out[3u + 2u * r] = bitcast<u32>(prevValue);
        }
    }
    if (t == 0u) {
        out[0] = step.pos;
        out[1] = p.k;
    }
}
