package dev.kiln.gpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Direct little-endian buffers for {@link Gpu#write}: the zero-copy path to the GPU on both TeaVM targets. */
public final class Bytes {
    private Bytes() {}

    public static ByteBuffer direct(int bytes) {
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    public static ByteBuffer of(byte[] data) {
        ByteBuffer b = direct(data.length);
        b.put(data);
        b.flip();
        return b;
    }

    public static ByteBuffer of(float[] data) {
        ByteBuffer b = direct(4 * data.length);
        for (float f : data) b.putFloat(f);
        b.flip();
        return b;
    }

    public static ByteBuffer of(int[] data) {
        ByteBuffer b = direct(4 * data.length);
        for (int v : data) b.putInt(v);
        b.flip();
        return b;
    }
}
