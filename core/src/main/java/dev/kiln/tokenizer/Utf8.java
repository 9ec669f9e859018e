package dev.kiln.tokenizer;

/**
 * UTF-8 encoding and decoding written out, so the JVM and both TeaVM targets behave the same on invalid input:
 * each maximal invalid subpart becomes one U+FFFD (the Unicode / WHATWG rule), a lone surrogate encodes as U+FFFD.
 */
final class Utf8 {
    private Utf8() {}

    static final int REPLACEMENT = 0xFFFD;

    /** Bytes of one code point appended to {@code out} at {@code p}; returns the new position (out needs 4 free bytes). */
    static int encode(int cp, byte[] out, int p) {
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = REPLACEMENT;
        if (cp < 0x80) {
            out[p++] = (byte) cp;
        } else if (cp < 0x800) {
            out[p++] = (byte) (0xC0 | cp >> 6);
            out[p++] = (byte) (0x80 | cp & 0x3F);
        } else if (cp < 0x10000) {
            out[p++] = (byte) (0xE0 | cp >> 12);
            out[p++] = (byte) (0x80 | cp >> 6 & 0x3F);
            out[p++] = (byte) (0x80 | cp & 0x3F);
        } else {
            out[p++] = (byte) (0xF0 | cp >> 18);
            out[p++] = (byte) (0x80 | cp >> 12 & 0x3F);
            out[p++] = (byte) (0x80 | cp >> 6 & 0x3F);
            out[p++] = (byte) (0x80 | cp & 0x3F);
        }
        return p;
    }

    /** The UTF-8 bytes of one code point. */
    static byte[] encode(int cp) {
        byte[] buf = new byte[4];
        int n = encode(cp, buf, 0);
        byte[] out = new byte[n];
        System.arraycopy(buf, 0, out, 0, n);
        return out;
    }

    /** Decodes b[from..to); invalid or truncated sequences become U+FFFD. */
    static String decode(byte[] b, int from, int to) {
        StringBuilder s = new StringBuilder(to - from);
        int i = from;
        while (i < to) {
            int end = sequenceEnd(b, i, to);
            if (end > 0) {
                s.appendCodePoint(codePoint(b, i, end));
                i = end;
            } else {
                s.append((char) REPLACEMENT);
                i = -end; // skip the maximal invalid subpart
            }
        }
        return s.toString();
    }

    /**
     * Bytes of b[from..to) that can be decoded now: everything except a trailing sequence that is valid so far but
     * cut short by {@code to} (more bytes may complete it).
     */
    static int completeLength(byte[] b, int from, int to) {
        int i = from;
        while (i < to) {
            int end = sequenceEnd(b, i, to);
            if (end > 0) {
                i = end;
            } else if (-end == to && lead(b[i] & 0xFF) > 0) {
                return i - from; // a valid prefix running into the end: hold it back
            } else {
                i = -end;
            }
        }
        return to - from;
    }

    /**
     * The end of the well-formed sequence starting at i, or minus the end of the maximal invalid subpart starting
     * there (at least i + 1).
     */
    private static int sequenceEnd(byte[] b, int i, int to) {
        int b0 = b[i] & 0xFF;
        if (b0 < 0x80) return i + 1;
        int need = lead(b0);
        if (need == 0) return -(i + 1);
        int lo = 0x80, hi = 0xBF; // the range of the first continuation byte (excludes overlongs and surrogates)
        if (b0 == 0xE0) lo = 0xA0;
        else if (b0 == 0xED) hi = 0x9F;
        else if (b0 == 0xF0) lo = 0x90;
        else if (b0 == 0xF4) hi = 0x8F;
        int j = i + 1;
        for (int k = 0; k < need; k++, j++) {
            if (j >= to) return -j;
            int c = b[j] & 0xFF;
            if (c < lo || c > hi) return -j;
            lo = 0x80;
            hi = 0xBF;
        }
        return j;
    }

    /** Continuation bytes a lead byte announces; 0 for a byte that cannot start a sequence. */
    private static int lead(int b0) {
        if (b0 >= 0xC2 && b0 <= 0xDF) return 1;
        if (b0 >= 0xE0 && b0 <= 0xEF) return 2;
        if (b0 >= 0xF0 && b0 <= 0xF4) return 3;
        return 0;
    }

    private static int codePoint(byte[] b, int i, int end) {
        int b0 = b[i] & 0xFF;
        int n = end - i;
        if (n == 1) return b0;
        int cp = b0 & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
        for (int k = i + 1; k < end; k++) cp = cp << 6 | (b[k] & 0x3F);
        return cp;
    }
}
