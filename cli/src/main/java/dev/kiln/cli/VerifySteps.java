package dev.kiln.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import dev.kiln.recipe.Step;
import dev.kiln.reference.StepTrace;

/**
 * {@code kiln verify --steps}: the GPU plan and the CPU reference side by side, stage by stage, teacher-forced on the
 * same ids ({@code node/trace.mjs} reads back every stage's result). Reports the first stage (position, step, layer)
 * whose result differs beyond the precision's tolerance, with its difference.
 */
final class VerifySteps {
    private VerifySteps() {}

    /**
     * Relative tolerance per stage result (max |Δ| / max(1, max |reference|)): f32 products and sums differ from the
     * CPU's only in summation order (≈1e-6 here); f16 keeps the KV cache in f16, which moves attention outputs by
     * ≈1e-3 and the logits by up to ≈2e-3 relative. A broken kernel is off by O(0.1–1).
     */
    static double tolerance(String precision) { return precision.equals("f16") ? 2e-2 : 1e-3; }

    /** The engine's traces, one per precision: node trace.mjs, one line of JSON per precision. */
    static Map<String, List<StepTrace.Entry>> gpu(Path script, String url, String precisions, int[] ids, List<String> kernels)
            throws IOException, InterruptedException, LocalModelServer.InputFailed {
        List<Object> list = new ArrayList<>();
        for (int id : ids) list.add(id);
        List<String> cmd = new ArrayList<>(List.of("node", script.toString(), "--manifest", url, "--precision", precisions,
                "--ids", Json.write(list)));
        for (String k : kernels) cmd.addAll(List.of("--kernel", k));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putIfAbsent("VK_ICD_FILENAMES", "/usr/share/vulkan/icd.d/lvp_icd.json");
        Process p = pb.start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        if (code == 3) throw new LocalModelServer.InputFailed("the engine refused the model or a kernel file (its error is above)");
        if (code != 0) throw new IllegalStateException("the engine failed to trace (node exited " + code + "; its error is above)");
        Map<String, List<StepTrace.Entry>> out = new LinkedHashMap<>();
        for (String line : stdout.strip().split("\n")) {
            JsonObject o = JsonObject.of(Json.parse(line), "trace");
            List<StepTrace.Entry> entries = new ArrayList<>();
            for (Object raw : o.array("steps")) {
                JsonObject s = JsonObject.of(raw, "trace step");
                List<Object> vs = s.array("values");
                float[] values = new float[vs.size()];
                for (int i = 0; i < values.length; i++) values[i] = ((Number) vs.get(i)).floatValue();
                entries.add(new StepTrace.Entry(s.integer("pos"), Step.valueOf(s.string("step")), s.integer("layer"), values));
            }
            out.put(o.string("precision"), entries);
        }
        return out;
    }

    /** Prints one precision's report; returns it as JSON. */
    static Map<String, Object> print(PrintWriter out, String precision, StepTrace.Report r, boolean json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("precision", precision);
        m.put("stage_results", r.compared());
        m.put("tolerance", tolerance(precision));
        m.put("ok", r.ok());
        if (r.firstDivergence() != null) m.put("first_divergence", json(r.firstDivergence()));
        if (r.largest() != null) m.put("largest", json(r.largest()));
        if (!json) {
            if (r.ok()) {
                out.printf("  %s: %d stage results within %.0e; largest %.2e at %s%n", precision, r.compared(),
                        tolerance(precision), r.largest().relative(), r.largest().reference().label());
            } else {
                StepTrace.Difference d = r.firstDivergence();
                out.printf("  %s: first divergence at %s: max |Δ| %.3e (relative %.2e > %.0e) at element %d  DISAGREES%n",
                        precision, d.reference().label(), d.maxDiff(), d.relative(), tolerance(precision), d.index());
            }
        }
        return m;
    }

    private static Map<String, Object> json(StepTrace.Difference d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pos", d.reference().pos());
        m.put("step", d.reference().step().name());
        m.put("layer", d.reference().layer());
        m.put("max_abs_diff", d.maxDiff());
        m.put("relative", d.relative());
        m.put("element", d.index());
        return m;
    }
}
