// MAT_MUL — Y[r] = W·X[r], or Y[r] += W·X[r] when accumulate, or Y[r] = silu(Y[r])·(W·X[r]) when gate (the SwiGLU
//   gate fused into w3, as MAT_VEC), for the rows r < step.rows of a block of positions:
//   the projections of batched prefill (X: one input row per prompt position; Y: one output row per position).
// Reference: dev.kiln.reference.Ops.matMul (Ops.matVec of every row; W row-major, n × cols).
// Threads: a workgroup of WG = 16 × 16 owns a TN × TM tile of Y (TN = 64 outputs along x, TM = 64 rows along y: a
//   whole prefill block, so each weight is dequantized once per block). Per TK = 16 columns, invocations t < 128 stage
//   8 consecutive weights of W row t / 2 (one w_unpack8: for q4 one word and one scale) and the others 8 inputs of
//   X row (t − 128) / 2, as vec4 along k in workgroup memory; the loads of the next step are issued before the FMAs of
//   this one. Invocation (tx, ty) = (t % 16, t / 16) then accumulates a 4 × 4 register tile, outputs tx + 16i (i < 4)
//   of rows 4ty + j (j < 4): per 4 columns 8 vec4 reads feed 64 FMAs. Row tiles at or past step.rows leave at once;
//   within a tile, invocations whose 4 rows are all dead skip the FMAs (a short last block costs what it holds).
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
const TN: u32 = 64u;    // outputs per tile
const TM: u32 = 64u;    // rows per tile
const TK: u32 = 16u;    // columns per step: a third operand tile would not fit 16 KiB of workgroup memory at 32
const HALF: u32 = 128u; // invocations staging W; the rest stage X
const PADV: u32 = 5u;   // TK / 4 + 1 vec4: a tile row's stride; odd, so 8 lanes reading rows tx..tx+7 hit distinct banks

var<workgroup> wTile: array<vec4<f32>, 320>; // TN × PADV, columns k..k+3 per vec4
var<workgroup> xTile: array<vec4<f32>, 320>; // TM × PADV

// This invocation's 8 operand values at columns k0 + 8·(t % 2): W row n0 + t / 2 for t < HALF, else X row
// m0 + (t − HALF) / 2; 0 outside W, outside the live rows and past cols.
fn stage(t: u32, n0: u32, m0: u32, live: u32, k0: u32) -> array<vec4<f32>, 2> {
    let c = k0 + 8u * (t % 2u);
    var v: array<f32, 8>;
    if (t < HALF) {
        let gn = n0 + t / 2u;
        if (gn >= p.n) { return array<vec4<f32>, 2>(); }
        let e = gn * p.cols + c;
        if (c + 8u <= p.cols) { return w_unpack8(e, p.scaleWord); } // always for q8 and q4 (cols % 32 == 0)
        for (var j = 0u; j < 8u && c + j < p.cols; j++) { v[j] = w_at(e + j, p.scaleWord); }
    } else {
        let gm = m0 + (t - HALF) / 2u;
        if (gm >= live) { return array<vec4<f32>, 2>(); }
        let e = gm * p.cols + c;
        for (var j = 0u; j < 8u && c + j < p.cols; j++) { v[j] = x[e + j]; }
    }
    return array<vec4<f32>, 2>(vec4<f32>(v[0], v[1], v[2], v[3]), vec4<f32>(v[4], v[5], v[6], v[7]));
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
    let live = min(step.rows, p.rows);
    let n0 = wid.x * TN;
    let m0 = wid.y * TM;
    if (m0 >= live) { return; } // the whole workgroup leaves together: barriers stay uniform
    let tx = t % 16u;
    let ty = t / 16u;
    let busy = m0 + 4u * ty < live;                      // some of rows 4ty..4ty+3 are live
    let slot = select(t - HALF, t, t < HALF) / 2u * PADV + 2u * (t % 2u); // where stage()'s values go
    var acc: array<vec4<f32>, 4>; // acc[j][i]: output tx + 16i of row 4ty + j
    var next = stage(t, n0, m0, live, 0u);

    for (var k0 = 0u; k0 < p.cols; k0 += TK) {
        if (t < HALF) { wTile[slot] = next[0]; wTile[slot + 1u] = next[1]; }
        else { xTile[slot] = next[0]; xTile[slot + 1u] = next[1]; }
        workgroupBarrier();
        if (k0 + TK < p.cols) { next = stage(t, n0, m0, live, k0 + TK); } // global loads in flight over the FMAs
        if (busy) {
            for (var kv = 0u; kv < TK / 4u; kv++) {
                let w0 = wTile[tx * PADV + kv];
                let w1 = wTile[(tx + 16u) * PADV + kv];
                let w2 = wTile[(tx + 32u) * PADV + kv];
                let w3 = wTile[(tx + 48u) * PADV + kv];
                // the 4 × 4 block transposed: wk[c] holds column kv·4 + c of the 4 outputs
                let wk = array<vec4<f32>, 4>(vec4<f32>(w0.x, w1.x, w2.x, w3.x), vec4<f32>(w0.y, w1.y, w2.y, w3.y),
                                             vec4<f32>(w0.z, w1.z, w2.z, w3.z), vec4<f32>(w0.w, w1.w, w2.w, w3.w));
                for (var j = 0u; j < 4u; j++) {
                    let xv = xTile[(4u * ty + j) * PADV + kv];
                    var a = acc[j];
                    a += wk[0] * xv.x;
                    a += wk[1] * xv.y;
                    a += wk[2] * xv.z;
                    a += wk[3] * xv.w;
                    acc[j] = a;
                }
            }
        }
        workgroupBarrier(); // every invocation is done with the tiles before they are overwritten
    }

    for (var j = 0u; j < 4u; j++) {
        let r = m0 + 4u * ty + j;
        if (r >= live) { break; }
        for (var i = 0u; i < 4u; i++) {
            let o = n0 + tx + 16u * i;
            if (o >= p.n) { break; }
            let at = r * p.n + o;
            let prior = select(0.0, y[at], p.accumulate == 1u);
            let g = y[at];
            y[at] = select(prior + acc[j][i], g / (1.0 + exp(-g)) * acc[j][i], p.gate == 1u);
        }
    }
}
