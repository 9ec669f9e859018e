package dev.kiln.server;

import dev.kiln.model.DType;
import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.model.ShardInfo;
import dev.kiln.model.TensorInfo;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One entry of {@code GET /api/models} (field names are written in snake_case).
 *
 * <p>Memory estimate, bytes of GPU memory the engine allocates, with {@code b} = 4 on the f32 path and 2 on the
 * f16 path ({@code shader-f16}):
 * <pre>
 *   weights = Σ shard sizes                                   (one GPU buffer per shard)
 *   kv      = 2 · layers · context · kvDim · b                (keys and values, every position of the context)
 *   scratch = b · (2·dim + 2·qDim + 2·kvDim + heads·context + 2·ffn)   (x, xb, q, attention out, k, v, scores, hb, hb2)
 *           + 4 · (vocab + context)                           (f32 logits, the u32 token buffer)
 *   memory_estimate_bytes     = weights + kv + scratch  with b = 4 (the larger, f32 path)
 *   memory_estimate_f16_bytes = the same with b = 2
 * </pre>
 *
 * @param quantization     storage type holding most of the matrix bytes ({@code q4}, {@code q8}, {@code f16}, {@code f32})
 * @param dtypes           every storage type present
 * @param parameters       Σ elements of all tensors
 * @param sizeBytes        download size: shards plus the tokenizer file
 * @param requiredFeatures WebGPU features the engine cannot run without (none: f32 compute needs no extension)
 * @param optionalFeatures features it uses when present
 * @param requiredLimits   WebGPU limits the model needs: the largest shard (one buffer) and the largest tensor (one binding)
 */
public record ModelInfo(String id, String name, String architecture, long parameters, String quantization,
                        List<String> dtypes, long sizeBytes, List<String> requiredFeatures,
                        List<String> optionalFeatures, Map<String, Long> requiredLimits, int context,
                        long memoryEstimateBytes, long memoryEstimateF16Bytes, String manifestUrl) {

    public static ModelInfo of(ServedModel m, long tokenizerBytes) {
        Manifest man = m.manifest();
        ModelConfig c = man.config();
        long parameters = 0;
        long largestTensor = 0;
        Map<DType, Long> matrixBytes = new EnumMap<>(DType.class);
        List<String> dtypes = new ArrayList<>();
        for (TensorInfo t : man.tensors()) {
            parameters += t.elements();
            largestTensor = Math.max(largestTensor, t.length());
            if (!dtypes.contains(t.dtype().id())) dtypes.add(t.dtype().id());
            if (t.shape().length == 2) matrixBytes.merge(t.dtype(), t.length(), Long::sum);
        }
        DType dominant = matrixBytes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(DType.F32);
        long largestShard = 0;
        for (ShardInfo s : man.shards()) largestShard = Math.max(largestShard, s.size());
        return new ModelInfo(m.id(), man.name(), c.architecture(), parameters, dominant.id(), dtypes,
                man.weightBytes() + tokenizerBytes, List.of(), List.of("shader-f16"),
                Map.of("maxBufferSize", largestShard, "maxStorageBufferBindingSize", largestTensor), c.context(),
                memoryEstimate(man, 4), memoryEstimate(man, 2), m.manifestUrl());
    }

    /** This entry with another manifest URL (a static export lists models relative to the page). */
    public ModelInfo withManifestUrl(String url) {
        return new ModelInfo(id, name, architecture, parameters, quantization, dtypes, sizeBytes, requiredFeatures,
                optionalFeatures, requiredLimits, context, memoryEstimateBytes, memoryEstimateF16Bytes, url);
    }

    /** See the class comment; {@code b} is bytes per activation and KV element. */
    static long memoryEstimate(Manifest man, int b) {
        ModelConfig c = man.config();
        long weights = man.weightBytes();
        long kv = 2L * c.layers() * c.context() * c.kvDim() * b;
        long scratch = (long) b * (2L * c.dim() + 2L * c.qDim() + 2L * c.kvDim() + (long) c.heads() * c.context() + 2L * c.ffn())
                + 4L * (c.vocab() + c.context());
        return weights + kv + scratch;
    }
}
