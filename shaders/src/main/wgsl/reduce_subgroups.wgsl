// Reduction prelude, subgroup variant — the functions of reduce.wgsl with the same contract (Wgsl takes this file
// instead when the engine asks for subgroups, and puts `enable subgroups;` first). Each subgroup combines its values
// with one subgroup operation and its first lane puts the result in slot t / sg of workgroup memory; the slots are
// then combined the same way, by every subgroup at once in the last level, so a call costs two barriers where
// WG ≤ sg² (instead of log2 WG + 1) and two more per extra level where subgroups are small (lavapipe, SwiftShader).
// Layout: subgroups are runs of consecutive local_invocation_index of one size sg (a power of two, ≤ WG), so a lane
//   is t % sg — what GPUs do for one-dimensional workgroups, though WGSL does not promise it; the engine takes this
//   file only after a reduction through it came out right on the device (dev.kiln.engine.SubgroupCheck).
// Precision: f32, as reduce.wgsl; sums in the subgroup operations' order (fixed for a device).
//   reduce_sum(t, v), reduce_sum4(t, v), reduce_max(t, v), reduce_best(t, v, i), beats(v, i, bv, bi): as in
//   reduce.wgsl.

const NONE: u32 = 0xffffffffu;
const SG_LOWEST: f32 = -0x1.fffffep+127f; // the lowest finite f32

var<workgroup> partial: array<f32, WG>;
var<workgroup> partialIndex: array<u32, WG>;
var<workgroup> partial4: array<vec4<f32>, WG>;
var<workgroup> sgWidth: u32;

struct Best {
    value: f32,
    index: u32,
}

// Whether candidate (v, i) beats (bv, bi): larger value, or equal value and lower index; NONE never wins.
fn beats(v: f32, i: u32, bv: f32, bi: u32) -> bool {
    return i != NONE && (bi == NONE || v > bv || (v == bv && i < bi));
}

// sg as a workgroup-uniform value (WGSL's uniformity analysis counts subgroup results as non-uniform, and the levels
// loop around barriers); its barrier also publishes the first level's slots.
fn sg_publish(t: u32, sg: u32) -> u32 {
    if (t == 0u) { sgWidth = sg; }
    return workgroupUniformLoad(&sgWidth);
}

fn reduce_sum(t: u32, v: f32) -> f32 {
    let first = subgroupAdd(v);
    let sg0 = subgroupAdd(1u); // all invocations are active: calls come from uniform control flow
    if (t % sg0 == 0u) { partial[t / sg0] = first; }
    let sg = sg_publish(t, sg0);
    var n = WG / sg; // slots 0..n-1 hold what is left
    while (n > sg) {
        let s = subgroupAdd(select(0.0, partial[t], t < n));
        workgroupBarrier();
        if (t < n && t % sg == 0u) { partial[t / sg] = s; }
        workgroupBarrier();
        n /= sg;
    }
    let lane = t % sg;
    let total = subgroupAdd(select(0.0, partial[lane], lane < n));
    workgroupBarrier(); // everyone has read the slots before `partial` is written again
    return total;
}

fn reduce_sum4(t: u32, v: vec4<f32>) -> vec4<f32> {
    let first = subgroupAdd(v);
    let sg0 = subgroupAdd(1u);
    if (t % sg0 == 0u) { partial4[t / sg0] = first; }
    let sg = sg_publish(t, sg0);
    var n = WG / sg;
    while (n > sg) {
        let s = subgroupAdd(select(vec4<f32>(0.0), partial4[t], t < n));
        workgroupBarrier();
        if (t < n && t % sg == 0u) { partial4[t / sg] = s; }
        workgroupBarrier();
        n /= sg;
    }
    let lane = t % sg;
    let total = subgroupAdd(select(vec4<f32>(0.0), partial4[lane], lane < n));
    workgroupBarrier();
    return total;
}

fn reduce_max(t: u32, v: f32) -> f32 {
    let first = subgroupMax(v);
    let sg0 = subgroupAdd(1u);
    if (t % sg0 == 0u) { partial[t / sg0] = first; }
    let sg = sg_publish(t, sg0);
    var n = WG / sg;
    while (n > sg) {
        let m = subgroupMax(select(partial[0], partial[t], t < n)); // slot 0 stands in: it changes no maximum
        workgroupBarrier();
        if (t < n && t % sg == 0u) { partial[t / sg] = m; }
        workgroupBarrier();
        n /= sg;
    }
    let lane = t % sg;
    let m = subgroupMax(select(partial[0], partial[lane], lane < n));
    workgroupBarrier();
    return m;
}

// The subgroup's best candidate, as reduce.wgsl's `beats` orders them: the largest value, then the lowest index;
// NONE never wins, and a candidate at −∞ (below SG_LOWEST) still beats NONE.
fn sg_best(v: f32, i: u32) -> Best {
    let valid = i != NONE;
    let top = subgroupMax(select(SG_LOWEST, v, valid));
    let atTop = subgroupMin(select(NONE, i, valid && v == top));
    let any = subgroupMin(select(NONE, i, valid)); // when no value reaches SG_LOWEST: the lowest index, at −∞
    let low = subgroupMin(select(0.0, v, valid));
    let fallback = atTop == NONE && any != NONE;
    return Best(select(top, low, fallback), select(atTop, any, fallback));
}

fn reduce_best(t: u32, v: f32, i: u32) -> Best {
    let first = sg_best(v, i);
    let sg0 = subgroupAdd(1u);
    if (t % sg0 == 0u) { partial[t / sg0] = first.value; partialIndex[t / sg0] = first.index; }
    let sg = sg_publish(t, sg0);
    var n = WG / sg;
    while (n > sg) {
        let b = sg_best(partial[t], select(NONE, partialIndex[t], t < n));
        workgroupBarrier();
        if (t < n && t % sg == 0u) { partial[t / sg] = b.value; partialIndex[t / sg] = b.index; }
        workgroupBarrier();
        n /= sg;
    }
    let lane = t % sg;
    let best = sg_best(partial[lane], select(NONE, partialIndex[lane], lane < n));
    workgroupBarrier();
    return best;
}
