// MAT_MUL — Y[r] = W·X[r], or Y[r] += W·X[r] when accumulate, or Y[r] = silu(Y[r])·(W·X[r]) when gate (the SwiGLU
//   gate fused into w3, as MAT_VEC), for the rows r < step.rows of a block of positions:
//   the projections of batched prefill (X: one input row per prompt position; Y: one output row per position).
// Reference: dev.kiln.reference.Ops.matMul (Ops.matVec of every row; W row-major, n × cols).
// Threads: a workgroup of WG = 16 × 16 owns a TN × TM tile of Y (TN = 64 outputs along x, TM = 32 rows along y).
//   Per TK = 32 columns it stages the W tile (TN × TK, dequantized by the weight prelude's w_at, 8 per invocation)
//   and the X tile (TM × TK, 4 per invocation) in workgroup memory, then invocation (tx, ty) = (t % 16, t / 16)
//   accumulates outputs tx + 16i (i < 4) of rows ty + 16j (j < 2) from the tiles: each weight is read from memory
//   once per TM rows instead of once per row. Row tiles at or past step.rows leave at once (a short last block).
// Precision: weights dequantized to f32 by the prelude; products and sums in f32 on F16 and F32, in column order
//   (the order of a sequential dot product; out-of-range tile entries are 0 and add nothing).
// Bindings:
@group(0) @binding(0) var<storage, read> w: array<u32>;        // (n, cols) weights in the weight dtype
@group(0) @binding(1) var<storage, read> x: array<f32>;        // (rows, cols) inputs, one row per position
@group(0) @binding(2) var<storage, read_write> y: array<f32>;  // (rows, n) outputs, one row per position
@group(0) @binding(3) var<uniform> step: Step;
@group(0) @binding(4) var<uniform> p: Params;

struct Step {
    pos: u32,   // position of the block's first row (unused here)
    rows: u32,  // rows of this block that hold positions (≤ p.rows)
}

struct Params {
    rows: u32,        // rows the grid covers (the block size); rows at or past step.rows are skipped
    n: u32,           // rows of W = outputs per row of Y
    cols: u32,        // columns of W = inputs per row of X
    accumulate: u32,  // 1: Y += W·X, 0: Y = W·X
    scaleWord: u32,   // word offset of the scale section in w (q8, q4), else 0
    gate: u32,        // 1: Y = silu(Y)·(W·X) (Y holds the gate), 0: as accumulate says
}

const WG: u32 = 256u;
const TN: u32 = 64u;   // outputs per tile
const TM: u32 = 32u;   // rows per tile
const TK: u32 = 32u;   // columns per step
const PAD: u32 = 33u;  // TK + 1: a tile row's stride, so the 16 lanes reading one column hit different banks

var<workgroup> wTile: array<f32, 2112>; // TN × PAD
var<workgroup> xTile: array<f32, 1056>; // TM × PAD

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
    let live = min(step.rows, p.rows);
    let n0 = wid.x * TN;
    let m0 = wid.y * TM;
    if (m0 >= live) { return; } // the whole workgroup leaves together: barriers stay uniform
    let tx = t % 16u;
    let ty = t / 16u;
    let wr = t / 4u;         // W tile row this invocation stages
    let wc = (t % 4u) * 8u;  // … its columns wc..wc+7
    let xr = t / 8u;         // X tile row
    let xc = (t % 8u) * 4u;  // … its columns xc..xc+3
    var acc: array<f32, 8>;  // outputs tx + 16i of row ty (acc[i]) and of row ty + 16 (acc[4 + i])

    for (var k0 = 0u; k0 < p.cols; k0 += TK) {
        let gn = n0 + wr;
        for (var j = 0u; j < 8u; j++) {
            let c = k0 + wc + j;
            var v = 0.0;
            if (gn < p.n && c < p.cols) { v = w_at(gn * p.cols + c, p.scaleWord); }
            wTile[wr * PAD + wc + j] = v;
        }
        let gm = m0 + xr;
        for (var j = 0u; j < 4u; j++) {
            let c = k0 + xc + j;
            var v = 0.0;
            if (gm < live && c < p.cols) { v = x[gm * p.cols + c]; }
            xTile[xr * PAD + xc + j] = v;
        }
        workgroupBarrier();
        for (var k = 0u; k < TK; k++) {
            let x0 = xTile[ty * PAD + k];
            let x1 = xTile[(ty + 16u) * PAD + k];
            for (var i = 0u; i < 4u; i++) {
                let wv = wTile[(tx + 16u * i) * PAD + k];
                acc[i] += wv * x0;
                acc[4u + i] += wv * x1;
            }
        }
        workgroupBarrier(); // every invocation is done with the tiles before they are overwritten
    }

    for (var j = 0u; j < 2u; j++) {
        let r = m0 + ty + 16u * j;
        if (r >= live) { continue; }
        for (var i = 0u; i < 4u; i++) {
            let o = n0 + tx + 16u * i;
            if (o >= p.n) { continue; }
            let at = r * p.n + o;
            let prior = select(0.0, y[at], p.accumulate == 1u);
            let g = y[at];
            y[at] = select(prior + acc[4u * j + i], g / (1.0 + exp(-g)) * acc[4u * j + i], p.gate == 1u);
        }
    }
}
