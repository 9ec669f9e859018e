package dev.kiln.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kiln.engine.PipelineCache;
import dev.kiln.gpu.Binding;
import dev.kiln.gpu.Bytes;
import dev.kiln.gpu.Dispatch;
import dev.kiln.gpu.Encoder;
import dev.kiln.gpu.Gpu;
import dev.kiln.json.Json;
import dev.kiln.model.DType;
import dev.kiln.shaders.Kernel;
import dev.kiln.shaders.Params;
import dev.kiln.shaders.Precision;
import org.teavm.jso.webgpu.GPUBuffer;

/**
 * The page's kernel check: requests the GPU, runs {@link Kernel#MAT_VEC} on {@link DemoInputs#standard()} with f32
 * weights and with q4 weights, reads both results back and reports them with the adapter, its features and the
 * precision the engine would choose. A test recomputes the numbers on the CPU from the same seed.
 */
public final class FoundationDemo {
    private FoundationDemo() {}

    /** Runs the check (suspends: call on a TeaVM thread) and returns its JSON report. */
    public static String run() {
        Gpu gpu = Gpu.request();
        try {
            Precision precision = gpu.hasShaderF16() ? Precision.F16 : Precision.F32;
            DemoInputs in = DemoInputs.standard();
            PipelineCache pipelines = new PipelineCache(gpu, precision);
            float[] f32 = matVec(gpu, pipelines, DType.F32, Bytes.of(in.w).limit(), Bytes.of(in.w), in);
            float[] q4 = matVec(gpu, pipelines, DType.Q4, in.q4.length, Bytes.of(in.q4), in);

            Map<String, Object> r = new LinkedHashMap<>();
            r.put("adapter", gpu.adapterDescription());
            r.put("features", new ArrayList<Object>(gpu.features()));
            r.put("precision", precision.name().toLowerCase());
            r.put("kernel", "mat_vec");
            r.put("rows", in.rows);
            r.put("cols", in.cols);
            r.put("seed", DemoInputs.SEED);
            r.put("generator", "xorshift32, see dev.kiln.demo.DemoInputs");
            r.put("f32", numbers(f32));
            r.put("q4", numbers(q4));
            return Json.write(r);
        } finally {
            gpu.destroy();
        }
    }

    private static float[] matVec(Gpu gpu, PipelineCache pipelines, DType dtype, int weightBytes,
                                  java.nio.ByteBuffer weights, DemoInputs in) {
        String tag = "demo-" + dtype.id();
        GPUBuffer w = gpu.storage(tag + "/w", weightBytes);
        gpu.write(w, 0, weights);
        GPUBuffer x = gpu.storage(tag + "/x", 4L * ((in.cols + 3) / 4 * 4)); // whole vec4s, as MAT_VEC reads x
        gpu.write(x, 0, Bytes.of(in.x));
        GPUBuffer y = gpu.storage(tag + "/y", 4L * in.rows);
        Params.MatVec p = Params.MatVec.of(dtype, in.rows, in.cols, false);
        GPUBuffer params = gpu.uniform(tag + "/params", p.bytes().length);
        gpu.write(params, 0, Bytes.of(p.bytes()));
        GPUBuffer readback = gpu.readback(tag + "/readback", 4L * in.rows);

        int[] wg = p.workgroups();
        Dispatch d = Dispatch.of(gpu, "MAT_VEC/" + dtype.id(), pipelines.get(Kernel.MAT_VEC, dtype),
                List.of(Binding.whole(w), Binding.whole(x), Binding.whole(x), Binding.whole(y), Binding.whole(params)), wg[0], wg[1], wg[2]);
        new Encoder(gpu, tag).pass(List.of(d)).copy(y, 0, readback, 0, 4.0 * in.rows).submit();
        int[] bits = gpu.readWords(readback, in.rows);
        float[] out = new float[in.rows];
        for (int i = 0; i < out.length; i++) out[i] = Float.intBitsToFloat(bits[i]);
        return out;
    }

    private static List<Object> numbers(float[] v) {
        List<Object> out = new ArrayList<>(v.length);
        for (float f : v) out.add((double) f);
        return out;
    }
}
