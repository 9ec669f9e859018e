package dev.kiln.engine;

import java.util.List;

import dev.kiln.gpu.Bytes;
import dev.kiln.gpu.Dispatch;
import dev.kiln.gpu.Encoder;
import dev.kiln.gpu.Gpu;
import dev.kiln.model.ModelConfig;
import dev.kiln.recipe.Act;
import dev.kiln.recipe.Stage;
import dev.kiln.shaders.StepUniform;

/**
 * The engine fed known ids instead of its own samples, for checking it against the CPU reference: {@link #score}
 * (the logits after every position: {@code kiln verify}) and {@link #trace} (every launch's result:
 * {@code kiln verify --steps}). One position per submit; a developer's tool, not a fast path.
 */
public final class TeacherForcing {
    private TeacherForcing() {}

    /** Receives one launch's result in {@link #trace}. */
    @FunctionalInterface
    public interface TraceListener {
        void step(int pos, Stage stage, float[] values, int n);
    }

    /** The logits after each position of {@code ids} but the last, {@code (ids.length - 1, vocab)}: row p predicts ids[p + 1]. */
    static float[][] score(Gpu gpu, Plan plan, int[] ids) {
        ModelConfig c = plan.c;
        int context = c.context(), vocab = c.vocab();
        if (ids.length < 2 || ids.length > context) {
            throw new IllegalArgumentException("score needs 2.." + context + " ids, got " + ids.length);
        }
        gpu.write(plan.tokens, 0, Bytes.of(ids));
        float[][] out = new float[ids.length - 1][vocab];
        int[] bits = new int[vocab];
        for (int pos = 0; pos < ids.length - 1; pos++) {
            Encoder e = new Encoder(gpu, "score", pos);
            position(plan, e, pos).pass(plan.body).pass(plan.head).copy(plan.logits, 0, plan.readback, 0, 4.0 * vocab);
            e.submitUnchecked();
            gpu.readWords(plan.readback, bits, vocab);
            e.check();
            for (int i = 0; i < vocab; i++) out[pos][i] = Float.intBitsToFloat(bits[i]);
        }
        return out;
    }

    /**
     * Runs {@code ids} one position at a time and, after every launch of the body and the head, reads back the result
     * of its (last) recipe stage: what the CPU reference's step listener sees, in the same order.
     */
    static void trace(Gpu gpu, Plan plan, int[] ids, TraceListener listener) {
        ModelConfig c = plan.c;
        int context = c.context();
        if (ids.length < 1 || ids.length > context) throw new IllegalArgumentException("trace needs 1.." + context + " ids, got " + ids.length);
        gpu.write(plan.tokens, 0, Bytes.of(ids));
        int widest = 0;
        for (Stage s : plan.schedule.recipeStages()) widest = Math.max(widest, s.resultWidth(c));
        int[] bits = new int[widest];
        float[] values = new float[widest];
        for (int pos = 0; pos < ids.length; pos++) {
            for (int i = 0; i < plan.body.size() + plan.head.size(); i++) {
                boolean inBody = i < plan.body.size();
                Schedule.Launch launch = inBody ? plan.schedule.body().get(i) : plan.schedule.head().get(i - plan.body.size());
                Dispatch d = inBody ? plan.body.get(i) : plan.head.get(i - plan.body.size());
                Encoder e = new Encoder(gpu, "trace", pos);
                if (i == 0) position(plan, e, pos);
                e.pass(List.of(d));
                if (launch.stages().isEmpty()) { // a launch with no result of its own (attention's chunks)
                    e.submit();
                    continue;
                }
                Stage stage = launch.stages().get(launch.stages().size() - 1);
                int n = 0;
                for (Act a : stage.result()) {
                    e.copy(plan.act(a), 0, plan.readback, 4.0 * n, 4.0 * a.width(c));
                    n += a.width(c);
                }
                e.submitUnchecked();
                gpu.readWords(plan.readback, bits, n);
                e.check();
                for (int j = 0; j < n; j++) values[j] = Float.intBitsToFloat(bits[j]);
                listener.step(pos, stage, values, n);
            }
        }
    }

    /** Puts Step{pos} into the step uniform: a 16-byte copy from the precomputed table. */
    static Encoder position(Plan plan, Encoder e, int pos) {
        return e.copy(plan.stepTable, (double) StepUniform.BYTES * pos, plan.step, 0, StepUniform.BYTES);
    }
}
