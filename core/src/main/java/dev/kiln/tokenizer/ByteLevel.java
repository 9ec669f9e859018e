package dev.kiln.tokenizer;

/**
 * GPT-2's byte ↔ character alphabet: byte-level BPE vocabularies spell every byte as one printable character, so a
 * token's text is a string over 256 characters. The printable bytes '!'..'~', '¡'..'¬', '®'..'ÿ' stand for
 * themselves; the other 68 bytes (controls, space, 0x7F–0xA0, 0xAD) take U+0100, U+0101, … in byte order, so a space
 * is 'Ġ' (U+0120) and '\n' is 'Ċ' (U+010A).
 */
final class ByteLevel {
    private ByteLevel() {}

    private static final char[] CHAR = new char[256]; // byte -> its character
    private static final int[] BYTE = new int[324];   // character -> its byte, -1 for characters outside the alphabet

    static {
        java.util.Arrays.fill(BYTE, -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE && b <= 0xFF;
            CHAR[b] = (char) (printable ? b : 256 + n++);
            BYTE[CHAR[b]] = b;
        }
    }

    /** The character that spells byte {@code b} (0..255). */
    static char charOf(int b) { return CHAR[b]; }

    /** The byte character {@code c} spells, or -1 when c is not in the alphabet. */
    static int byteOf(char c) { return c < BYTE.length ? BYTE[c] : -1; }

    /** The bytes a token text spells, or null when some character is outside the alphabet. */
    static byte[] bytes(String text) {
        byte[] out = new byte[text.length()];
        for (int i = 0; i < out.length; i++) {
            int b = byteOf(text.charAt(i));
            if (b < 0) return null;
            out[i] = (byte) b;
        }
        return out;
    }
}
