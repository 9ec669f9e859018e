package dev.kiln.gpu;

import org.teavm.jso.webgpu.GPUBuffer;

/**
 * One bind-group entry: a byte range of a buffer. Tensors are sub-ranges of their shard's buffer (offsets are
 * multiples of 256, WebGPU's minStorageBufferOffsetAlignment); activations bind whole buffers.
 *
 * @param buffer the buffer
 * @param offset first byte (a multiple of 256)
 * @param size   bytes (a multiple of 4)
 */
public record Binding(GPUBuffer buffer, double offset, double size) {

    public Binding {
        if (offset % 256 != 0) throw new IllegalArgumentException("binding offset " + (long) offset + " is not a multiple of 256");
        if (size <= 0 || size % 4 != 0) throw new IllegalArgumentException("binding size " + (long) size + " must be a positive multiple of 4");
    }

    /** The whole buffer. */
    public static Binding whole(GPUBuffer buffer) { return new Binding(buffer, 0, buffer.getSize()); }
}
