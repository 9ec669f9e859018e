package dev.kiln.packager.synthetic;

import java.util.List;

import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeScaling;
import dev.kiln.model.RopeStyle;

/**
 * The named shapes {@code kiln bench --synthetic} builds: each real model's dimensions, vocabulary size, tying, biases
 * and RoPE (from its config.json), with {@link #CONTEXT} positions so the KV cache of every shape fits one storage
 * binding of 128 MiB (the limit of lavapipe and many real devices). Only the weights are random.
 */
public record SyntheticShape(String name, ModelConfig config) {

    /** Positions of every named shape: the benchmark's prompts and decodes stay far below it. */
    public static final int CONTEXT = 2048;

    public static final List<SyntheticShape> ALL = List.of(
            // Qwen/Qwen2-0.5B: hidden 896, 24 layers, 14 heads / 2 KV heads of 64, FFN 4864, tied, q/k/v biases
            new SyntheticShape("qwen2-0.5b", new ModelConfig("llama", 896, 24, 14, 2, 64, 4864, 151936, 1e-6f, 1e6f,
                    RopeStyle.HALF_SPLIT, CONTEXT, 151643, 151643, true, true, false, RopeScaling.NONE)),
            // meta-llama/Llama-3.2-1B: hidden 2048, 16 layers, 32 / 8 heads of 64, FFN 8192, tied, llama3 RoPE scaling
            new SyntheticShape("llama-3.2-1b", new ModelConfig("llama", 2048, 16, 32, 8, 64, 8192, 128256, 1e-5f, 5e5f,
                    RopeStyle.HALF_SPLIT, CONTEXT, 128000, 128001, true, false, false,
                    RopeScaling.llama3(32f, 1f, 4f, 8192))),
            // HuggingFaceTB/SmolLM2-360M: hidden 960, 32 layers, 15 / 5 heads of 64, FFN 2560, tied
            new SyntheticShape("smollm2-360m", new ModelConfig("llama", 960, 32, 15, 5, 64, 2560, 49152, 1e-5f, 1e5f,
                    RopeStyle.HALF_SPLIT, CONTEXT, 1, 2, true)),
            // HuggingFaceTB/SmolLM2-135M: hidden 576, 30 layers, 9 / 3 heads of 64, FFN 1536, tied
            new SyntheticShape("smollm2-135m", new ModelConfig("llama", 576, 30, 9, 3, 64, 1536, 49152, 1e-5f, 1e5f,
                    RopeStyle.HALF_SPLIT, CONTEXT, 1, 2, true)),
            // for tests: every feature of qwen2-0.5b at a size that loads in a second
            new SyntheticShape("tiny", new ModelConfig("llama", 64, 2, 4, 2, 16, 128, 512, 1e-6f, 1e6f,
                    RopeStyle.HALF_SPLIT, CONTEXT, 1, 2, true, true, false, RopeScaling.NONE)));

    /** The shape called {@code name}. */
    public static SyntheticShape named(String name) {
        for (SyntheticShape s : ALL) if (s.name.equals(name)) return s;
        throw new IllegalArgumentException("unknown synthetic shape '" + name + "', expected one of " + names());
    }

    public static List<String> names() { return ALL.stream().map(SyntheticShape::name).toList(); }
}
