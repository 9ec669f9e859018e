package dev.kiln.csp;

/**
 * A cursor over a WebAssembly binary: LEB128 integers, bytes and names, each read failing with the offset where the
 * binary stopped making sense.
 */
final class WasmBytes {
    final byte[] data;
    int pos;

    WasmBytes(byte[] data, int pos) {
        this.data = data;
        this.pos = pos;
    }

    boolean more(int end) { return pos < end; }

    int u8() {
        if (pos >= data.length) throw fail("unexpected end of the binary");
        return data[pos++] & 0xFF;
    }

    /** An unsigned LEB128 that fits in an int (indices, counts, sizes). */
    int u32() {
        long result = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = u8();
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (result > Integer.MAX_VALUE) throw fail("LEB128 value " + result + " is out of range");
                return (int) result;
            }
        }
        throw fail("LEB128 longer than 5 bytes");
    }

    /** Skips a signed or unsigned LEB128 of any width (constants, heap types, block types). */
    void skipLeb() {
        for (int i = 0; i < 10; i++) if ((u8() & 0x80) == 0) return;
        throw fail("LEB128 longer than 10 bytes");
    }

    void skip(int n) {
        if (n < 0 || pos + n > data.length) throw fail("a length of " + n + " runs past the end of the binary");
        pos += n;
    }

    String name() {
        int n = u32();
        int start = pos;
        skip(n);
        return new String(data, start, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    IllegalStateException fail(String what) {
        return new IllegalStateException("kiln.wasm at byte " + pos + ": " + what);
    }
}
