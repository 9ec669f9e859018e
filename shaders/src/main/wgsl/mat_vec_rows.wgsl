// Row-dot prelude — four weight rows against one input vector, RMS-normed on the fly when asked: the inner loop of
// MAT_VEC and MAT_VEC_QKV (Wgsl adds it after the team prelude for the kernels Kernel.dotsRows() names).
// Contract: the kernel declares `x: array<vec4<f32>>` (its input, cols floats bound in whole vec4s),
//   `g: array<vec4<f32>>` (the norm weight, cols floats, read only when norm == 1) and `const WG`, and a whole team
//   (mat_vec_team.wgsl) calls at once:
//   dot_rows(inv, base, scales, cols, norm, eps) -> vec4<f32>, to every invocation of the team, component k:
//     Σ_c W[base[k] + c] · x̂[c] over c < cols, where x̂ = x, or x̂[c] = x[c] · g[c] · s with
//     s = 1 / sqrt(Σ x² / cols + eps) when norm == 1 (RMSNorm folded in: s multiplies the finished sums)
//   base[k]: the element index of row k's first weight in `w` (the caller points rows past its end at a valid row
//   and ignores their sums); scales[k]: the weight prelude's scales argument for that row's tensor.
// Threads: lane l of a team of n takes the 16-element chunks l, l + n, … of the rows (neighbouring invocations read
//   neighbouring words of each row); each chunk of x (and g) is loaded once, as four vec4, for all four rows; then
//   the cols % 16 tail element by element (only f32 and f16 rows have one). The n partial sums meet in team_sum4
//   (and Σ x² in team_sum).
// Precision: f32 products and sums on F16 and F32; the weight prelude dequantizes to f32. CPU twin: Ops.rmsNorm then
//   Ops.matVec (which scales x before the sum: the results differ by rounding only).
fn dot_rows(inv: Invocation, base: vec4<u32>, scales: vec4<u32>, cols: u32, norm: u32, eps: f32) -> vec4<f32> {
    let lane = team_lane(inv);
    let n = team_size(inv);
    let chunks = cols / 16u;
    var acc = vec4<f32>(0.0);
    var ss = 0.0;
    for (var c = lane; c < chunks; c += n) {
        let i = 4u * c;
        var x0 = x[i];
        var x1 = x[i + 1u];
        var x2 = x[i + 2u];
        var x3 = x[i + 3u];
        ss += dot(x0, x0) + dot(x1, x1) + dot(x2, x2) + dot(x3, x3);
        if (norm == 1u) {
            x0 *= g[i];
            x1 *= g[i + 1u];
            x2 *= g[i + 2u];
            x3 *= g[i + 3u];
        }
        let e = 16u * c;
        acc += vec4<f32>(w_dot16(base.x + e, scales.x, x0, x1, x2, x3), w_dot16(base.y + e, scales.y, x0, x1, x2, x3),
                         w_dot16(base.z + e, scales.z, x0, x1, x2, x3), w_dot16(base.w + e, scales.w, x0, x1, x2, x3));
    }
    for (var c = 16u * chunks + lane; c < cols; c += n) {
        var xc = x[c >> 2u][c & 3u];
        ss += xc * xc;
        if (norm == 1u) { xc *= g[c >> 2u][c & 3u]; }
        acc += xc * vec4<f32>(w_at(base.x + c, scales.x), w_at(base.y + c, scales.y), w_at(base.z + c, scales.z),
                              w_at(base.w + c, scales.w));
    }
    let sums = team_sum4(inv, acc);
    if (norm == 0u) { return sums; }
    return sums * inverseSqrt(team_sum(inv, ss) / f32(cols) + eps);
}
