package dev.kiln.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.kiln.gpu.Gpu;
import dev.kiln.gpu.GpuException;
import dev.kiln.shaders.Kernel;
import dev.kiln.shaders.Params;
import dev.kiln.shaders.Precision;
import org.teavm.jso.webgpu.GPUBuffer;

/**
 * After a lost device: a new device, every shard uploaded again — from the browser's store, verified, with no
 * request leaving the browser (after a complete load the store has them all; without a store, from the server) —
 * and the plan rebuilt. The {@link Engine} swaps these in and empties its KV cache, so the next generate prefills its
 * whole prompt and a conversation continues where it was.
 */
final class Recovery {
    private Recovery() {}

    /** The replacement device, the model's buffers on it, its plan, and a sentence for the user. */
    record Rebuilt(Gpu gpu, Loader.Loaded model, Plan plan, String message) {}

    static Rebuilt rebuild(Gpu lost, Loader.Loaded model, Precision precision, Map<Kernel, String> kernels, boolean subgroups) {
        String why = lost.lostDescription();
        double t0 = Engine.now();
        Gpu fresh = Gpu.request();
        try {
            if (precision == Precision.F16 && !fresh.hasShaderF16()) {
                throw new GpuException.DeviceLost("recovery", "the new device lacks shader-f16: load the model again with precision f32");
            }
            Store store = Store.find();
            List<String> sources = new ArrayList<>();
            GPUBuffer[] shards = Loader.upload(fresh, model.manifest(), model.manifestUrl(), store, Progress.Phase.RECOVER, p -> {
                if (!p.source().isEmpty() && !sources.contains(p.source())) sources.add(p.source());
            });
            Loader.Loaded moved = model.withShards(shards);
            // the new device gets the subgroup kernels only if the old one had them and it passes the check too
            boolean sg = subgroups && SubgroupCheck.passes(fresh, precision, null);
            Plan plan = new Plan(fresh, new PipelineCache(fresh, precision, kernels, sg), moved, Params.TopK.MAX_K);
            String from = store == null ? "from the server" : sources.contains("network")
                    ? "from this browser's model store (shards it lacked from the server)" : "from this browser's model store";
            return new Rebuilt(fresh, moved, plan, "The GPU device was lost (" + why + "); a new device was set up and the"
                    + " weights were uploaded again " + from + " in " + Math.round(Engine.now() - t0) + " ms. The"
                    + " conversation continues.");
        } catch (RuntimeException e) {
            fresh.destroy();
            throw e;
        }
    }
}
