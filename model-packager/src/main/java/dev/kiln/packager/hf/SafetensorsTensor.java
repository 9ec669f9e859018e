package dev.kiln.packager.hf;

import dev.kiln.packager.gguf.GgmlType;

import java.util.Arrays;

/**
 * One tensor of a safetensors file, as its header describes it.
 *
 * @param file  the safetensors file (relative to the checkpoint)
 * @param name  Hugging Face name, e.g. {@code model.layers.0.self_attn.q_proj.weight}
 * @param type  element type (safetensors F32, F16, BF16)
 * @param shape row-major, last dimension contiguous ({@code [rows, cols]} for a matrix)
 * @param begin absolute byte offset in the file
 * @param end   absolute end offset (exclusive)
 */
public record SafetensorsTensor(String file, String name, GgmlType type, long[] shape, long begin, long end) {

    public long elements() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    public long bytes() { return end - begin; }

    @Override
    public String toString() { return name + " " + type + " " + Arrays.toString(shape) + " in " + file; }
}
