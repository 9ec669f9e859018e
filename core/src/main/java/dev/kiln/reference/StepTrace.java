package dev.kiln.reference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.kiln.recipe.Step;

/**
 * Step-by-step comparison of two runs of the same recipe (the CPU reference and the GPU engine), teacher-forced on the
 * same ids: the tool that says where a new kernel or family goes wrong. Each run is a list of {@link Entry}s, one per
 * recipe stage per position, in execution order.
 */
public final class StepTrace {
    private StepTrace() {}

    /** One stage's result at one position. */
    public record Entry(int pos, Step step, int layer, float[] values) {
        public String label() { return (layer < 0 ? step.name() : step.name() + "/L" + layer) + " at position " + pos; }
    }

    /**
     * The comparison of one entry: {@code maxDiff} = max |a − b|, {@code scale} = max(1, max |reference|), so
     * {@code maxDiff / scale} is relative for large values and absolute for small ones.
     */
    public record Difference(Entry reference, double maxDiff, double scale, int index) {
        public double relative() { return maxDiff / scale; }
    }

    /** The outcome: the first entry beyond the tolerance (null when none) and the largest relative difference seen. */
    public record Report(int compared, Difference firstDivergence, Difference largest) {
        public boolean ok() { return firstDivergence == null; }
    }

    /** Runs {@code ids} through the CPU reference from an empty cache and records every stage's result. */
    public static List<Entry> cpu(CpuModel model, int[] ids) {
        List<Entry> out = new ArrayList<>();
        int[] pos = {0};
        model.reset();
        model.setListener((step, layer, values, n) -> out.add(new Entry(pos[0], step, layer, Arrays.copyOf(values, n))));
        try {
            for (pos[0] = 0; pos[0] < ids.length; pos[0]++) model.forward(ids[pos[0]], pos[0]);
        } finally {
            model.setListener(null);
        }
        return out;
    }

    /**
     * Compares {@code engine} with {@code reference} entry by entry; an entry diverges when max |Δ| / max(1, max
     * |reference|) exceeds {@code tolerance} or a value is not finite. The engine reports one result per launch, the
     * last stage's, so a fused launch (e.g. ATT_NORM+Q+K+V, FFN_NORM+W1+W3+SILU_MUL) skips the stages before its last: each engine entry is matched with
     * the next reference entry of the same position, step and layer, and at most {@code maxSkipped} reference entries
     * in a row may be passed over. Anything else (a plan that does not follow the recipe) is an error naming the first
     * mismatch.
     */
    public static Report compare(List<Entry> reference, List<Entry> engine, double tolerance) {
        Difference first = null, largest = null;
        int at = 0;
        for (int i = 0; i < engine.size(); i++) {
            Entry e = engine.get(i);
            int skipped = 0;
            while (at < reference.size() && !same(reference.get(at), e) && skipped < MAX_SKIPPED) { at++; skipped++; }
            if (at >= reference.size() || !same(reference.get(at), e)) {
                String ran = at < reference.size() ? reference.get(at).label() + " (" + reference.get(at).values().length + " values)" : "nothing";
                throw new IllegalArgumentException("stage result " + i + ": the engine ran " + e.label() + " (" + e.values().length
                        + " values), the reference " + ran + ": the plan does not follow the recipe");
            }
            Difference d = difference(reference.get(at++), e);
            if (largest == null || !(d.relative() <= largest.relative())) largest = d;
            if (first == null && !(d.relative() <= tolerance)) first = d;
        }
        if (at != reference.size()) {
            throw new IllegalArgumentException("the engine stopped after " + engine.size() + " stage results; the reference ran "
                    + reference.get(at).label() + " next: the plan does not follow the recipe");
        }
        return new Report(engine.size(), first, largest);
    }

    /**
     * Reference stages a fused launch may cover before the one it reports: the most is decode's
     * ATT_NORM+Q+K+V+QKV_BIAS, which reports QKV_BIAS.
     */
    public static final int MAX_SKIPPED = 4;

    private static boolean same(Entry r, Entry e) {
        return r.pos() == e.pos() && r.step() == e.step() && r.layer() == e.layer() && r.values().length == e.values().length;
    }

    private static Difference difference(Entry r, Entry e) {
        double max = 0, scale = 1;
        int at = 0;
        for (int i = 0; i < r.values().length; i++) {
            double d = Math.abs((double) e.values()[i] - r.values()[i]);
            if (!(d <= max)) { // NaN counts as the largest
                max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                at = i;
            }
            scale = Math.max(scale, Math.abs(r.values()[i]));
        }
        return new Difference(r, max, scale, at);
    }
}
