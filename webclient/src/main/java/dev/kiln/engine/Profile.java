package dev.kiln.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kiln.gpu.Dispatch;
import dev.kiln.gpu.Encoder;
import dev.kiln.gpu.Gpu;
import dev.kiln.shaders.Kernel;

/**
 * GPU time of one greedy decode token by kernel role, measured with the wall clock so that it works on every adapter
 * (timestamp queries are optional in WebGPU and unreliable on lavapipe). For each role, that role's dispatches of one
 * token (body, head and ARGMAX, in plan order, on the real bound buffers) are encoded {@code repeats} times into one
 * compute pass of one submit, and the time from submit to {@code onSubmittedWorkDone} is taken; the same measurement
 * of a submit without dispatches (the median of three) is subtracted and the rest divided by {@code repeats}.
 *
 * <p>Limits: a role runs alone, so pipeline switches and the overlap between roles of a real token are not in its
 * time and the sum of the roles may differ from the decode time per token; a role's repeats read data it already
 * brought into caches, which flatters memory-bound kernels on real GPUs; software adapters' figures say nothing of a
 * GPU. The repeats overwrite activations and the KV cache row of the profiled position (after the cached ones), which
 * a later generate computes afresh. A developer's tool, not the fast path.
 *
 * @param position   the position profiled: attention reads the cache up to it
 * @param repeats    each role's dispatches of one token in its submit
 * @param overheadMs an empty submit and its wait, subtracted from every role's time
 * @param roles      in order of first use in a token
 */
public record Profile(int position, int repeats, double overheadMs, List<Role> roles) {

    /** What {@link #toJson} puts under {@code method}. */
    public String method() {
        return "wall clock per role, " + repeats + " repeats, empty-submit overhead subtracted";
    }

    /**
     * One kernel role's share of a token.
     *
     * @param dispatches its dispatches per token
     * @param msPerToken its GPU time per token (never negative: noise below the overhead reads 0)
     */
    public record Role(Kernel kernel, int dispatches, double msPerToken) {}

    static Profile measure(Gpu gpu, Plan plan, int pos, int repeats) {
        if (repeats < 1) throw new IllegalArgumentException("profile repeats must be at least 1, got " + repeats);
        Map<Kernel, List<Dispatch>> byRole = new LinkedHashMap<>();
        addAll(byRole, plan.schedule.body(), plan.body);
        addAll(byRole, plan.schedule.head(), plan.head);
        byRole.computeIfAbsent(Kernel.ARGMAX, k -> new ArrayList<>()).add(plan.argmax);

        // one unmeasured token first, so that no role pays for the first use of a pipeline or buffer
        List<Dispatch> token = new ArrayList<>();
        for (List<Dispatch> ds : byRole.values()) token.addAll(ds);
        timed(gpu, plan, pos, token);
        double[] empty = {timed(gpu, plan, pos, List.of()), timed(gpu, plan, pos, List.of()), timed(gpu, plan, pos, List.of())};
        java.util.Arrays.sort(empty);
        double overhead = empty[1];

        List<Role> roles = new ArrayList<>();
        for (Map.Entry<Kernel, List<Dispatch>> e : byRole.entrySet()) {
            List<Dispatch> repeated = new ArrayList<>();
            for (int i = 0; i < repeats; i++) repeated.addAll(e.getValue());
            double ms = (timed(gpu, plan, pos, repeated) - overhead) / repeats;
            roles.add(new Role(e.getKey(), e.getValue().size(), Math.max(0, ms)));
        }
        return new Profile(pos, repeats, overhead, List.copyOf(roles));
    }

    /** Milliseconds from the submit of the step copy and {@code dispatches} (one pass) to the queue's completion. */
    private static double timed(Gpu gpu, Plan plan, int pos, List<Dispatch> dispatches) {
        Encoder e = new Encoder(gpu, "profile", pos);
        TeacherForcing.position(plan, e, pos);
        if (!dispatches.isEmpty()) e.pass(dispatches);
        double t0 = Engine.now();
        e.submitUnchecked();
        gpu.waitForSubmittedWork();
        double ms = Engine.now() - t0;
        e.check();
        return ms;
    }

    private static void addAll(Map<Kernel, List<Dispatch>> byRole, List<Schedule.Launch> launches, List<Dispatch> dispatches) {
        for (int i = 0; i < launches.size(); i++) {
            byRole.computeIfAbsent(launches.get(i).params().kernel(), k -> new ArrayList<>()).add(dispatches.get(i));
        }
    }

    /** {"method", "position", "repeats", "overhead_ms", "roles": [{"role", "dispatches", "ms_per_token"}, …]}. */
    public String toJson() {
        List<Object> rs = new ArrayList<>();
        for (Role r : roles) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("role", r.kernel().name());
            m.put("dispatches", r.dispatches());
            m.put("ms_per_token", r.msPerToken());
            rs.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", method());
        m.put("position", position);
        m.put("repeats", repeats);
        m.put("overhead_ms", overheadMs);
        m.put("roles", rs);
        return dev.kiln.json.Json.write(m);
    }
}
