package dev.kiln.csp;

import java.util.ArrayList;
import java.util.List;

/**
 * TeaVM's WebAssembly GC string pool: a data segment holding each Java string constant as an unsigned LEB128 length
 * in UTF-16 units followed by that many units in WTF-8 (1–3 bytes each; a surrogate is encoded on its own).
 */
final class StringPool {
    private StringPool() { }

    /** The strings of segment [start, end), or null when the segment is not exactly such a pool. */
    static List<String> parse(byte[] data, int start, int end) {
        List<String> strings = new ArrayList<>();
        int p = start;
        while (p < end) {
            long length = 0;
            int shift = 0;
            while (true) {
                if (p >= end || shift > 28) return null;
                int b = data[p++] & 0xFF;
                length |= (long) (b & 0x7F) << shift;
                shift += 7;
                if ((b & 0x80) == 0) break;
            }
            StringBuilder s = new StringBuilder((int) Math.min(length, 1 << 16));
            for (long i = 0; i < length; i++) {
                if (p >= end) return null;
                int c = data[p] & 0xFF;
                if (c < 0x80) {
                    s.append((char) c);
                    p += 1;
                } else if ((c & 0xE0) == 0xC0 && p + 1 < end && cont(data[p + 1])) {
                    s.append((char) (((c & 0x1F) << 6) | (data[p + 1] & 0x3F)));
                    p += 2;
                } else if ((c & 0xF0) == 0xE0 && p + 2 < end && cont(data[p + 1]) && cont(data[p + 2])) {
                    s.append((char) (((c & 0x0F) << 12) | ((data[p + 1] & 0x3F) << 6) | (data[p + 2] & 0x3F)));
                    p += 3;
                } else {
                    return null;
                }
            }
            strings.add(s.toString());
        }
        return strings;
    }

    private static boolean cont(byte b) { return (b & 0xC0) == 0x80; }
}
