package dev.kiln.model;

/**
 * Which element pairs RoPE rotates inside one head. The packager stores q/k rows so that the engine only needs
 * this flag (Hugging Face checkpoints are converted once, at packaging).
 */
public enum RopeStyle {
    /** Pairs (2i, 2i+1): llama.cpp's convention for GGUF llama weights. */
    INTERLEAVED("interleaved"),
    /** Pairs (i, i + headSize/2): GPT-NeoX / Qwen convention. */
    HALF_SPLIT("half_split");

    private final String id;

    RopeStyle(String id) { this.id = id; }

    public String id() { return id; }

    public static RopeStyle fromId(String id) {
        for (RopeStyle s : values()) if (s.id.equals(id)) return s;
        throw new IllegalArgumentException("unknown rope style '" + id + "', expected interleaved or half_split");
    }
}
