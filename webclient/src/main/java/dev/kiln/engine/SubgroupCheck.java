package dev.kiln.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.kiln.gpu.Binding;
import dev.kiln.gpu.Bytes;
import dev.kiln.gpu.Dispatch;
import dev.kiln.gpu.Encoder;
import dev.kiln.gpu.Gpu;
import dev.kiln.model.DType;
import dev.kiln.reference.Ops;
import dev.kiln.shaders.Kernel;
import dev.kiln.shaders.Params;
import dev.kiln.shaders.Precision;
import dev.kiln.shaders.StepUniform;
import org.teavm.jso.webgpu.GPUBuffer;

/**
 * Whether the subgroup reduction prelude ({@code reduce_sum}, {@code reduce_best} through subgroup operations) gives
 * the right answers on this device, checked once at load before the engine uses it: the prelude assumes subgroups are
 * runs of consecutive invocations (what GPUs do, but WGSL does not promise), and a browser's subgroup support may be
 * young. Three dispatches, as the engine runs them: RMS_NORM of three rows of 1000 values (sums, 256 invocations, so
 * several subgroup levels on small subgroups) against {@link Ops#rmsNorm}, ARGMAX over 5000 logits with a tie for
 * the maximum (the lower index must win), and a normed MAT_VEC of 70 × 1000 f32 weights with the engine's teams of
 * rows per workgroup (one team per subgroup: mat_vec_team_subgroups.wgsl) against {@link Ops#rmsNorm} and
 * {@link Ops#matVec}. Any difference, or any error, means the shared-memory preludes.
 */
final class SubgroupCheck {
    private SubgroupCheck() {}

    private static final int N = 1000, ROWS = 3, LOGITS = 5000, WINNER = 1234, MAT_ROWS = 70;
    private static final float EPS = 1e-5f;

    /** Whether the device has subgroups and the check passes; {@code why} (when not null) gets the reason it does not. */
    static boolean passes(Gpu gpu, Precision precision, StringBuilder why) {
        if (!gpu.hasSubgroups()) return fail(why, "the device has no subgroups feature");
        List<GPUBuffer> buffers = new ArrayList<>();
        try {
            return check(gpu, new PipelineCache(gpu, precision, Map.of(), true), buffers, why);
        } catch (RuntimeException e) {
            return fail(why, "the subgroup kernels failed: " + e.getMessage());
        } finally {
            for (GPUBuffer b : buffers) b.destroy(); // the readback has completed: nothing uses them any more
        }
    }

    private static boolean check(Gpu gpu, PipelineCache pipelines, List<GPUBuffer> buffers, StringBuilder why) {
        float[] x = new float[ROWS * N], w = new float[N];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(0.37 * i) * (1 + i % 5);
        for (int i = 0; i < N; i++) w[i] = 0.5f + (i % 7) / 8f;
        float[] logits = new float[LOGITS];
        for (int i = 0; i < LOGITS; i++) logits[i] = (float) Math.cos(0.11 * i);
        logits[WINNER] = 3f;
        logits[WINNER + 2000] = 3f; // the tie: the lower index wins

        GPUBuffer bx = kept(buffers, buffer(gpu, "subgroup-check/x", x)), bw = kept(buffers, buffer(gpu, "subgroup-check/w", w));
        GPUBuffer out = kept(buffers, gpu.storage("subgroup-check/out", 4L * x.length));
        GPUBuffer bl = kept(buffers, buffer(gpu, "subgroup-check/logits", logits));
        GPUBuffer tokens = kept(buffers, gpu.storage("subgroup-check/tokens", 16));
        GPUBuffer step = kept(buffers, gpu.uniform("subgroup-check/step", StepUniform.BYTES));
        gpu.write(step, 0, Bytes.of(StepUniform.bytes(0)));
        float[] a = new float[MAT_ROWS * N];
        for (int i = 0; i < a.length; i++) a[i] = (float) Math.cos(0.013 * i) * (1 + i % 3) / 8;
        GPUBuffer ba = kept(buffers, buffer(gpu, "subgroup-check/a", a));
        GPUBuffer y = kept(buffers, gpu.storage("subgroup-check/y", 4L * MAT_ROWS));
        GPUBuffer readback = kept(buffers, gpu.readback("subgroup-check/readback", 4L * (x.length + 1 + MAT_ROWS)));
        Dispatch norm = dispatch(gpu, pipelines, buffers, new Params.RmsNorm(N, EPS, ROWS), null, bx, bw, out);
        Dispatch argmax = dispatch(gpu, pipelines, buffers, new Params.Argmax(LOGITS), null, bl, tokens, step);
        Params mv = Params.withRowTeams(Params.MatVec.normed(DType.F32, MAT_ROWS, N, EPS), pipelines.rowTeams());
        Dispatch matVec = dispatch(gpu, pipelines, buffers, mv, DType.F32, ba, bx, bw, y);
        new Encoder(gpu, "subgroup-check").pass(List.of(norm, argmax, matVec)).copy(out, 0, readback, 0, 4.0 * x.length)
                .copy(tokens, 4, readback, 4.0 * x.length, 4).copy(y, 0, readback, 4.0 * (x.length + 1), 4.0 * MAT_ROWS)
                .submit();
        int[] bits = gpu.readWords(readback, x.length + 1 + MAT_ROWS);

        if (bits[x.length] != WINNER) return fail(why, "ARGMAX through subgroups gave " + bits[x.length] + ", not " + WINNER);
        float[] row = new float[N], expected = new float[N];
        for (int r = 0; r < ROWS; r++) {
            System.arraycopy(x, r * N, row, 0, N);
            Ops.rmsNorm(expected, row, w, N, EPS);
            for (int i = 0; i < N; i++) {
                float got = Float.intBitsToFloat(bits[r * N + i]);
                if (!(Math.abs(got - expected[i]) <= 1e-4f * (1 + Math.abs(expected[i])))) {
                    return fail(why, "RMS_NORM through subgroups gave " + got + " for " + expected[i] + " (row " + r + ", " + i + ")");
                }
            }
        }
        float[] normed = new float[N], ys = new float[MAT_ROWS];
        System.arraycopy(x, 0, row, 0, N);
        Ops.rmsNorm(normed, row, w, N, EPS);
        Ops.matVec(ys, a, normed, MAT_ROWS, N);
        for (int r = 0; r < MAT_ROWS; r++) {
            float got = Float.intBitsToFloat(bits[x.length + 1 + r]);
            if (!(Math.abs(got - ys[r]) <= 1e-3f * (1 + Math.abs(ys[r])))) {
                return fail(why, "MAT_VEC through subgroups gave " + got + " for " + ys[r] + " (row " + r + ")");
            }
        }
        return true;
    }

    private static GPUBuffer buffer(Gpu gpu, String label, float[] values) {
        GPUBuffer b = gpu.storage(label, 4L * values.length);
        gpu.write(b, 0, Bytes.of(values));
        return b;
    }

    private static GPUBuffer kept(List<GPUBuffer> buffers, GPUBuffer b) {
        buffers.add(b);
        return b;
    }

    private static Dispatch dispatch(Gpu gpu, PipelineCache pipelines, List<GPUBuffer> kept, Params p, DType weights,
                                     GPUBuffer... buffers) {
        GPUBuffer params = kept(kept, gpu.uniform(p.kernel().name() + "/check-params", p.bytes().length));
        gpu.write(params, 0, Bytes.of(p.bytes()));
        List<Binding> all = new ArrayList<>();
        for (GPUBuffer b : buffers) all.add(Binding.whole(b));
        all.add(Binding.whole(params));
        int[] wg = p.workgroups();
        Kernel k = p.kernel();
        return Dispatch.of(gpu, "subgroup-check/" + k.name(), pipelines.get(k, weights), all, wg[0], wg[1], wg[2]);
    }

    private static boolean fail(StringBuilder why, String reason) {
        if (why != null) why.append(reason);
        return false;
    }
}
