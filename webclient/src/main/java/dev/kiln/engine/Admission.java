package dev.kiln.engine;

import dev.kiln.gpu.Gpu;
import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.model.ShardInfo;
import dev.kiln.model.TensorInfo;
import dev.kiln.shaders.Precision;

/**
 * Admission control, from the manifest and the adapter's limits, before a byte of weights is downloaded:
 * <pre>
 * every tensor      ≤ maxStorageBufferBindingSize          (each is bound as one range)
 * every shard       ≤ maxBufferSize                        (one buffer per shard)
 * one KV cache      = layers × context × kv_dim × kv bytes ≤ min(maxBufferSize, maxStorageBufferBindingSize)
 * GPU memory        ≈ weights + 2 × KV cache + scratch     (kiln inspect prints the same estimate)
 * </pre>
 * The context is the largest that fits, up to the model's; below {@link #MIN_CONTEXT} positions (or a tensor or
 * shard that fits no binding) the model is refused with its need, the adapter's limits and what to pick instead.
 */
public final class Admission {
    private Admission() {}

    /** Fewer positions than this is no chat: refuse rather than run. */
    static final int MIN_CONTEXT = 256;

    /** {@code manifest}, its context lowered to what the device holds when needed; refuses what cannot run. */
    static Manifest admit(Manifest manifest, Gpu gpu, Precision precision) {
        return admit(manifest, gpu.maxStorageBufferBindingSize(), gpu.maxBufferSize(), precision);
    }

    /** {@link #admit(Manifest, Gpu, Precision)} against these limits (bytes). */
    public static Manifest admit(Manifest manifest, double binding, double maxBuffer, Precision precision) {
        ModelConfig c = manifest.config();
        String limits = "this adapter allows " + mib(binding) + " per binding (maxStorageBufferBindingSize) and "
                + mib(maxBuffer) + " per buffer (maxBufferSize)";
        for (TensorInfo t : manifest.tensors()) {
            if (t.length() > binding) {
                throw new IllegalArgumentException("the model does not fit this GPU: tensor " + t.name() + " needs "
                        + mib(t.length()) + " in one binding but " + limits + ". Pick a smaller model or a smaller "
                        + "quantization (kiln package --quant q4).");
            }
        }
        for (ShardInfo s : manifest.shards()) {
            if (s.size() > maxBuffer) {
                throw new IllegalArgumentException("shard " + s.file() + " is " + mib(s.size()) + " but " + limits
                        + ": re-package with a smaller --shard-size");
            }
        }
        long kvPerPosition = (long) c.layers() * c.kvDim() * precision.kvBytes();
        long fit = (long) (Math.min(binding, maxBuffer) / kvPerPosition);
        int context = (int) Math.min(c.context(), fit);
        if (context < Math.min(c.context(), MIN_CONTEXT)) {
            throw new IllegalArgumentException("the model does not fit this GPU: its KV cache needs " + mib(kvPerPosition)
                    + " per 1 position × " + Math.min(c.context(), MIN_CONTEXT) + " positions at least, but " + limits
                    + " (about " + mib(estimate(manifest, context, precision)) + " in all at " + context + " positions). "
                    + "Pick a smaller model or a smaller quantization (kiln package --quant q4).");
        }
        if (context == c.context()) return manifest;
        ModelConfig smaller = new ModelConfig(c.architecture(), c.dim(), c.layers(), c.heads(), c.kvHeads(), c.headSize(),
                c.ffn(), c.vocab(), c.normEps(), c.ropeBase(), c.ropeStyle(), context, c.bos(), c.eos(),
                c.tiedEmbeddings(), c.qkvBias(), c.qkNorm(), c.ropeScaling());
        return new Manifest(manifest.name(), smaller, manifest.tokenizer(), manifest.tensors(), manifest.shards());
    }

    /** Weights + K and V caches + activations, in bytes, at {@code context} positions. */
    public static double estimate(Manifest manifest, int context, Precision precision) {
        ModelConfig c = manifest.config();
        double kv = 2.0 * c.layers() * c.kvDim() * precision.kvBytes() * context;
        double scratch = 4.0 * (3.0 * c.dim() + c.qDim() + 2.0 * c.kvDim() + 2.0 * c.ffn() + (double) c.heads() * context + c.vocab());
        return manifest.weightBytes() + kv + scratch;
    }

    static String mib(double bytes) {
        return Math.round(bytes / (1 << 20) * 10) / 10.0 + " MiB";
    }
}
