package dev.kiln.packager.gguf;

import java.util.Arrays;

/**
 * One tensor of a GGUF file, as its header describes it.
 *
 * @param name   GGUF name, e.g. {@code blk.0.attn_q.weight}
 * @param ne     GGML dimensions, {@code ne[0]} contiguous (a matrix of rows×cols is {@code ne = [cols, rows]})
 * @param type   element type
 * @param offset absolute byte offset of the data in the file
 * @param bytes  byte length of the data
 */
public record GgufTensor(String name, long[] ne, GgmlType type, long offset, long bytes) {

    public long elements() {
        long n = 1;
        for (long d : ne) n *= d;
        return n;
    }

    @Override
    public String toString() {
        return name + " " + type + " ne=" + Arrays.toString(ne) + " @" + offset + "+" + bytes;
    }
}
