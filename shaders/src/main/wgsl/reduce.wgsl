// Reduction prelude — workgroup-wide tree reductions, one value per invocation in, the result to every invocation.
// Contract, for the kernels Kernel.reduces() names (Wgsl adds this file after the weight prelude):
//   the kernel defines `const WG: u32` (its workgroup size, a power of two) and calls these from uniform control
//   flow with t = local_invocation_index. Each call ends with a barrier, so calls may follow one another and the
//   kernel may write `partial` (WG f32 of workgroup memory, declared here) right after one.
//   reduce_sum(t, v)      Σ v over the workgroup, pairwise in a shared-memory tree (error grows with log WG)
//   reduce_sum4(t, v)     the same for four sums at once (a vec4: one tree, the barriers of one)
//   reduce_max(t, v)      the maximum v over the workgroup
//   reduce_best(t, v, i)  the candidate (value v, index i) that beats every other (larger value, then lower
//                         index; index NONE, "no candidate", never wins), as Best
// Precision: f32 sums and comparisons on F16 and F32. CPU twins: each kernel's reference (dev.kiln.reference.Ops).

const NONE: u32 = 0xffffffffu;

var<workgroup> partial: array<f32, WG>;
var<workgroup> partialIndex: array<u32, WG>;
var<workgroup> partial4: array<vec4<f32>, WG>;

struct Best {
    value: f32,
    index: u32,
}

fn reduce_sum(t: u32, v: f32) -> f32 {
    partial[t] = v;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s >>= 1u) {
        if (t < s) { partial[t] += partial[t + s]; }
        workgroupBarrier();
    }
    let total = partial[0];
    workgroupBarrier(); // everyone has read the total before `partial` is written again
    return total;
}

fn reduce_sum4(t: u32, v: vec4<f32>) -> vec4<f32> {
    partial4[t] = v;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s >>= 1u) {
        if (t < s) { partial4[t] += partial4[t + s]; }
        workgroupBarrier();
    }
    let total = partial4[0];
    workgroupBarrier();
    return total;
}

fn reduce_max(t: u32, v: f32) -> f32 {
    partial[t] = v;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s >>= 1u) {
        if (t < s) { partial[t] = max(partial[t], partial[t + s]); }
        workgroupBarrier();
    }
    let m = partial[0];
    workgroupBarrier();
    return m;
}

// Whether candidate (v, i) beats (bv, bi): larger value, or equal value and lower index; NONE never wins.
fn beats(v: f32, i: u32, bv: f32, bi: u32) -> bool {
    return i != NONE && (bi == NONE || v > bv || (v == bv && i < bi));
}

fn reduce_best(t: u32, v: f32, i: u32) -> Best {
    partial[t] = v;
    partialIndex[t] = i;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s >>= 1u) {
        if (t < s && beats(partial[t + s], partialIndex[t + s], partial[t], partialIndex[t])) {
            partial[t] = partial[t + s];
            partialIndex[t] = partialIndex[t + s];
        }
        workgroupBarrier();
    }
    let best = Best(partial[0], partialIndex[0]);
    workgroupBarrier();
    return best;
}
