// Team prelude, workgroup variant — how a mat-vec workgroup splits into teams that each take four weight rows at a
// time: here the whole workgroup is one team, and its sums meet in reduction-prelude trees (barriers). Wgsl adds this
// file before mat_vec_rows.wgsl for the kernels Kernel.dotsRows() names, mat_vec_team_subgroups.wgsl instead when the
// engine asks for subgroups. Contract (both variants), for a kernel that defines `const WG` and takes
// `inv: Invocation` as its entry point's argument:
//   struct Invocation            the entry point's per-invocation builtins (workgroup_id and num_workgroups are
//                                  the kernel's own arguments, so what it derives from them stays uniform)
//   team_index(inv), team_count(inv)   this invocation's team and the teams of a workgroup
//   team_lane(inv), team_size(inv)     this invocation's place in its team and the team's invocations
//   team_sum(inv, v), team_sum4(inv, v)  Σ v over the team, to every invocation of it; called by the whole team
//                                  at once (here: from workgroup-uniform control flow)
// A kernel loops `for (var i = team_index(inv); i < teamsPerWorkgroup; i += team_count(inv))`: in this variant that
// loop is workgroup-uniform, as the barriers need.
// Precision: f32 sums, as reduce.wgsl.

struct Invocation {
    @builtin(local_invocation_index) t: u32,
}

fn team_index(inv: Invocation) -> u32 { return 0u; }
fn team_count(inv: Invocation) -> u32 { return 1u; }
fn team_lane(inv: Invocation) -> u32 { return inv.t; }
fn team_size(inv: Invocation) -> u32 { return WG; }
fn team_sum(inv: Invocation, v: f32) -> f32 { return reduce_sum(inv.t, v); }
fn team_sum4(inv: Invocation, v: vec4<f32>) -> vec4<f32> { return reduce_sum4(inv.t, v); }
