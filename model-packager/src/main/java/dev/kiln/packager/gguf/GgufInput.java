package dev.kiln.packager.gguf;

import dev.kiln.packager.ModelFormatException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * Little-endian sequential reads over a file channel through a small window, so a header of any size is parsed
 * with bounded memory. Every read checks the file's length first: running past the end is a
 * {@link ModelFormatException} that says what was being read ({@link #context}) and where.
 */
final class GgufInput {
    private static final int WINDOW = 1 << 16;

    private final FileChannel channel;
    private final String file;
    final long size;
    private final ByteBuffer window = ByteBuffer.allocate(WINDOW).order(ByteOrder.LITTLE_ENDIAN);
    private long windowStart;
    /** Absolute position of the next byte to read. */
    long pos;
    /** What is being read, for error messages ("the header", "key 'general.name'", "tensor info 3"). */
    String context = "the header";

    GgufInput(FileChannel channel, String file) throws IOException {
        this.channel = channel;
        this.file = file;
        this.size = channel.size();
        window.limit(0);
    }

    long remaining() { return size - pos; }

    ModelFormatException error(String problem) {
        return new ModelFormatException(file + ": " + context + ": " + problem);
    }

    /** Makes bytes [pos, pos+n) available in the window (n ≤ WINDOW). */
    private void need(int n) throws IOException {
        if (n > remaining()) {
            throw error("needs " + n + " bytes at offset " + pos + " but the file ends at " + size
                    + ": the file is truncated");
        }
        if (pos >= windowStart && pos + n <= windowStart + window.limit()) return;
        window.clear();
        windowStart = pos;
        long want = Math.min(WINDOW, size - pos);
        window.limit((int) want);
        while (window.hasRemaining()) {
            if (channel.read(window, windowStart + window.position()) < 0) {
                throw error("the file ended at offset " + (windowStart + window.position()) + " while reading");
            }
        }
        window.flip();
    }

    private int at() { return (int) (pos - windowStart); }

    int u8() throws IOException { need(1); int v = window.get(at()) & 0xff; pos += 1; return v; }
    int i16() throws IOException { need(2); int v = window.getShort(at()); pos += 2; return v; }
    int i32() throws IOException { need(4); int v = window.getInt(at()); pos += 4; return v; }
    long u32() throws IOException { return i32() & 0xffffffffL; }
    long i64() throws IOException { need(8); long v = window.getLong(at()); pos += 8; return v; }
    float f32() throws IOException { return Float.intBitsToFloat(i32()); }
    double f64() throws IOException { return Double.longBitsToDouble(i64()); }

    /** A count or length: u32 in GGUF v1, u64 from v2 on; never negative, never more than the bytes left. */
    long count(boolean wide, String what, long minBytesEach) throws IOException {
        long n = wide ? i64() : u32();
        if (n < 0 || (minBytesEach > 0 && n > remaining() / minBytesEach)) {
            throw error(what + " " + Long.toUnsignedString(n) + " is impossible: only " + remaining()
                    + " bytes follow at offset " + pos + " (corrupt or truncated file)");
        }
        return n;
    }

    /** A GGUF string: a length (u32 in v1, u64 after) then that many UTF-8 bytes. */
    String string(boolean wide) throws IOException {
        long n = count(wide, "string length", 1);
        if (n > Integer.MAX_VALUE - 16) throw error("string length " + n + " is too large");
        byte[] b = new byte[(int) n];
        int done = 0;
        while (done < b.length) {
            int chunk = Math.min(WINDOW, b.length - done);
            need(chunk);
            window.get(at(), b, done, chunk);
            pos += chunk;
            done += chunk;
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Reads {@code n} bytes at absolute {@code offset} (tensor data: outside the window, one positional read). */
    byte[] readAt(long offset, int n) throws IOException {
        if (offset < 0 || offset + n > size) {
            throw error("bytes [" + offset + ", " + (offset + n) + ") lie past the end of the file (" + size + ")");
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (channel.read(b, offset + b.position()) < 0) throw error("the file ended while reading tensor data");
        }
        return b.array();
    }
}
