package dev.kiln.shaders;

/**
 * Little-endian bytes of a uniform struct whose fields are all 4-byte scalars (u32, f32): field i sits at byte 4i,
 * so the WGSL struct has no padding inside; the buffer is padded to a multiple of 16 bytes.
 */
final class UniformWriter {
    private final byte[] bytes;
    private int at;

    UniformWriter(int fields) { bytes = new byte[(fields * 4 + 15) / 16 * 16]; }

    UniformWriter u32(int v) {
        bytes[at] = (byte) v;
        bytes[at + 1] = (byte) (v >>> 8);
        bytes[at + 2] = (byte) (v >>> 16);
        bytes[at + 3] = (byte) (v >>> 24);
        at += 4;
        return this;
    }

    UniformWriter u32(boolean v) { return u32(v ? 1 : 0); }

    UniformWriter f32(float v) { return u32(Float.floatToRawIntBits(v)); }

    byte[] bytes() { return bytes; }
}
