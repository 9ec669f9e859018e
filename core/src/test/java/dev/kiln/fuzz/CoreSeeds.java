package dev.kiln.fuzz;

import dev.kiln.model.DType;
import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeStyle;
import dev.kiln.model.ShardInfo;
import dev.kiln.model.TensorInfo;
import dev.kiln.tokenizer.Vocabulary;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Generated seeds of core's fuzz targets: a small manifest and a small tokenizer file, as we write them. */
final class CoreSeeds {
    private CoreSeeds() {}

    static final ModelConfig CONFIG = new ModelConfig("llama", 16, 1, 2, 1, 8, 32, 8, 1e-5f, 10000f,
            RopeStyle.INTERLEAVED, 32, 1, 2, true);

    static String manifest() {
        TensorInfo t = new TensorInfo("tok_embeddings", new long[] {32, 16}, DType.F32, 0, 0, 32 * 16 * 4);
        return new Manifest("m", CONFIG, "tokenizer-0.json", List.of(t), List.of(new ShardInfo("shard-00000-0.bin", 4096, "00"))).toJson();
    }

    static String vocabulary() {
        return new Vocabulary("bpe", List.of("a", "b", "ab", "<s>"), new float[0], new int[] {1, 1, 1, 3}, List.of("a b"),
                3, 3, -1, true, false, List.of("\\s+"), "nfc", false).toJson();
    }

    static String string(byte[] b) { return new String(b, StandardCharsets.UTF_8); }
}
