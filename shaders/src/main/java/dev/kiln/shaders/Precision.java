package dev.kiln.shaders;

/**
 * The compute precision of a kernel variant. Activations are f32 on both; the difference is the KV cache element
 * type {@code kv}: f16 needs the adapter feature {@code shader-f16}, f32 runs everywhere. Weights are packed words
 * either way ({@code array<u32>}, f16 through {@code unpack2x16float}), and every sum accumulates in f32.
 */
public enum Precision {
    /** {@code enable f16;} and {@code alias kv = f16;}: half the KV-cache memory; needs {@code shader-f16}. */
    F16,
    /** {@code alias kv = f32;}: no feature needed (SwiftShader, older adapters). */
    F32;

    /** The WGSL text prepended to every kernel of this precision. */
    public String prelude() {
        return this == F16 ? "enable f16;\nalias kv = f16;\n" : "alias kv = f32;\n";
    }

    /** Bytes of one KV-cache element. */
    public int kvBytes() { return this == F16 ? 2 : 4; }

    /** The adapter feature this precision needs, or null. */
    public String requiredFeature() { return this == F16 ? "shader-f16" : null; }
}
