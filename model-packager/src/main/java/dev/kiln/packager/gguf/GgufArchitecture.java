package dev.kiln.packager.gguf;

import dev.kiln.model.RopeStyle;
import dev.kiln.packager.ModelFormatException;

import java.util.List;

/**
 * The GGUF architectures Kiln packages ({@code general.architecture}), each a llama with flags, and the one place
 * their {@code {arch}.*} metadata keys are spelled. RoPE follows llama.cpp's {@code llama_model_rope_type}: llama is
 * LLAMA_ROPE_TYPE_NORM (pairs (2i, 2i+1); convert_hf_to_gguf permutes q/k rows for it), qwen2 and qwen3 are
 * LLAMA_ROPE_TYPE_NEOX (pairs (i, i + head_size/2); their rows are stored as Hugging Face has them, not permuted).
 */
public enum GgufArchitecture {
    //     general.architecture   RoPE pairs                q/k/v bias  q/k norm
    LLAMA("llama", RopeStyle.INTERLEAVED, false, false),   // Llama 1/2/3.x, Mistral, SmolLM2, TinyLlama
    QWEN2("qwen2", RopeStyle.HALF_SPLIT, true, false),     // Qwen2/2.5
    QWEN3("qwen3", RopeStyle.HALF_SPLIT, false, true);     // Qwen3 (dense)

    private final String id;
    private final RopeStyle ropeStyle;
    private final boolean qkvBias;
    private final boolean qkNorm;

    GgufArchitecture(String id, RopeStyle ropeStyle, boolean qkvBias, boolean qkNorm) {
        this.id = id;
        this.ropeStyle = ropeStyle;
        this.qkvBias = qkvBias;
        this.qkNorm = qkNorm;
    }

    public String id() { return id; }

    /** Which pairs RoPE rotates for weights as llama.cpp stores them for this architecture. */
    public RopeStyle ropeStyle() { return ropeStyle; }

    public boolean qkvBias() { return qkvBias; }

    public boolean qkNorm() { return qkNorm; }

    /** The metadata key {@code {arch}.suffix}, e.g. {@code qwen2.attention.head_count}. */
    public String key(String suffix) { return id + "." + suffix; }

    /** Architectures of mixture-of-experts models in llama.cpp: refused as such, not as "unknown". */
    private static final List<String> MOE = List.of("qwen2moe", "qwen3moe", "mixtral", "llama4", "deepseek", "deepseek2",
            "olmoe", "granitemoe", "dbrx", "grok", "phimoe", "arctic", "jamba", "bailingmoe", "hunyuan-moe", "gpt-oss");

    /** {@code general.architecture} of this file, or an error naming what it is and what Kiln packages. */
    public static GgufArchitecture of(GgufFile f) {
        String arch = f.string("general.architecture");
        for (GgufArchitecture a : values()) if (a.id.equals(arch)) return a;
        String why = MOE.contains(arch) ? ": it is a mixture of experts, which the engine does not run"
                : arch.equals("phi3") ? ": package the Hugging Face checkpoint instead (Kiln splits Phi-3's fused projections there)"
                : "";
        throw new ModelFormatException(f.path().getFileName() + ": general.architecture is '" + arch
                + "'; Kiln packages GGUF architectures llama (Llama 1/2/3.x, Mistral, SmolLM2, TinyLlama), qwen2 (Qwen2/2.5) "
                + "and qwen3" + why);
    }
}
