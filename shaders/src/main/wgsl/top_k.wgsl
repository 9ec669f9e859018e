// TOP_K — the k largest logits in descending order (ties: lower index first) with their ids, for CPU sampling.
//   out = [pos, k, id_0, bits(logit_0), id_1, bits(logit_1), …]; pos stamps which step the candidates belong to.
// Reference: sort (logit descending, id ascending) and take k (dev.kiln.sample's top-k on the CPU).
// Threads: one workgroup of WG; k rounds of a cooperative argmax over the logits that rank after the previous
//   winner, each a strided scan plus a shared-memory tree: k·n reads, fine for k ≤ 64 once per token.
// Precision: f32 comparisons only; the same on F16 and F32.
// Bindings:
@group(0) @binding(0) var<storage, read> logits: array<f32>;    // (n) logits
@group(0) @binding(1) var<storage, read_write> out: array<u32>; // (2 + 2k) pos, k, then (id, bitcast logit) pairs
@group(0) @binding(2) var<uniform> step: Step;
@group(0) @binding(3) var<uniform> p: Params;

struct Step {
    pos: u32,  // position of the token whose logits these are (0-based)
}

struct Params {
    n: u32,  // logits (the vocabulary size)
    k: u32,  // candidates to return, 1..64
}

const WG: u32 = 256u;
const NONE: u32 = 0xffffffffu;

var<workgroup> bestValue: array<f32, WG>;
var<workgroup> bestIndex: array<u32, WG>;

// Whether candidate (v, i) beats (bv, bi): larger value, or equal value and lower index; NONE never wins.
fn beats(v: f32, i: u32, bv: f32, bi: u32) -> bool {
    return i != NONE && (bi == NONE || v > bv || (v == bv && i < bi));
}

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
        bestValue[t] = bv;
        bestIndex[t] = bi;
        workgroupBarrier();
        for (var s = WG / 2u; s > 0u; s >>= 1u) {
            if (t < s && beats(bestValue[t + s], bestIndex[t + s], bestValue[t], bestIndex[t])) {
                bestValue[t] = bestValue[t + s];
                bestIndex[t] = bestIndex[t + s];
            }
            workgroupBarrier();
        }
        prevValue = bestValue[0];
        prevIndex = bestIndex[0];
        if (t == 0u) {
            out[2u + 2u * r] = prevIndex;
            out[3u + 2u * r] = bitcast<u32>(prevValue);
        }
        workgroupBarrier(); // everyone has read round r's winner before round r + 1 overwrites the tree
    }
    if (t == 0u) {
        out[0] = step.pos;
        out[1] = p.k;
    }
}
