// Team prelude, subgroup variant — the contract of mat_vec_team.wgsl with one team per subgroup: each subgroup
// takes its own four rows and sums them with subgroupAdd, so a mat-vec has no barrier at all (llama.cpp's WebGPU and
// Metal mat-vecs give each subgroup its rows the same way). A workgroup holds WG / min(sg, WG) teams; the host sizes
// its grid for the adapter's largest subgroup size (Params.rowTeams), and the kernels' team loop covers any other.
// Layout: subgroups are runs of consecutive local_invocation_index (lane = t % sg), what GPUs do for one-dimensional
//   workgroups; WGSL does not promise it, so the engine takes this file only after a mat-vec through it came out
//   right on the device (dev.kiln.engine.SubgroupCheck). A team's control flow is then uniform within its subgroup,
//   which WGSL's analysis cannot see (it depends on t): the rule is switched off where the sums are taken.
// Precision: f32 sums in the subgroup operation's order (fixed for a device).

struct Invocation {
    @builtin(local_invocation_index) t: u32,
    @builtin(subgroup_size) sg: u32,
}

fn team_size(inv: Invocation) -> u32 { return min(inv.sg, WG); }
fn team_index(inv: Invocation) -> u32 { return inv.t / team_size(inv); }
fn team_count(inv: Invocation) -> u32 { return WG / team_size(inv); }
fn team_lane(inv: Invocation) -> u32 { return inv.t % team_size(inv); }
@diagnostic(off, subgroup_uniformity)
fn team_sum(inv: Invocation, v: f32) -> f32 { return subgroupAdd(v); }
@diagnostic(off, subgroup_uniformity)
fn team_sum4(inv: Invocation, v: vec4<f32>) -> vec4<f32> { return subgroupAdd(v); }
