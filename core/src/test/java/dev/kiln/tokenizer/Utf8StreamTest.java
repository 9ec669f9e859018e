package dev.kiln.tokenizer;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class Utf8StreamTest {
    private static final String TEXT = "a€𝄞é🦙 Ё😶\u200d🌫️z";

    @Test
    void charactersSplitAcrossTokensAreHeldBackUntilComplete() {
        byte[] all = TEXT.getBytes(StandardCharsets.UTF_8);
        // every way of cutting the bytes into two-token and one-byte-per-token streams
        for (int cut = 0; cut <= all.length; cut++) {
            Utf8Stream s = new Utf8Stream();
            StringBuilder out = new StringBuilder();
            out.append(check(s.feed(slice(all, 0, cut))));
            out.append(check(s.feed(slice(all, cut, all.length))));
            assertEquals(0, s.pendingBytes());
            assertEquals(TEXT, out.toString(), "cut at byte " + cut);
        }
        Utf8Stream s = new Utf8Stream();
        StringBuilder out = new StringBuilder();
        for (byte b : all) out.append(check(s.feed(new byte[] {b})));
        assertEquals(TEXT, out.append(s.flush()).toString());
    }

    /** An emitted chunk never holds a broken character: no U+FFFD and no lone surrogate. */
    private static String check(String chunk) {
        assertFalse(chunk.contains("\uFFFD"), "broken character in '" + chunk + "'");
        for (int i = 0; i < chunk.length(); i++) {
            char c = chunk.charAt(i);
            if (Character.isHighSurrogate(c)) assertTrue(i + 1 < chunk.length() && Character.isLowSurrogate(chunk.charAt(++i)));
            else assertFalse(Character.isLowSurrogate(c), "lone low surrogate");
        }
        return chunk;
    }

    private static void assertTrue(boolean b) { org.junit.jupiter.api.Assertions.assertTrue(b, "lone high surrogate"); }

    @Test
    void bytesThatCanNeverFormACharacterComeOutAsReplacementAtOnce() {
        Utf8Stream s = new Utf8Stream();
        assertEquals("\uFFFD", s.feed(new byte[] {(byte) 0xFF}));
        assertEquals("", s.feed(new byte[] {(byte) 0xE2, (byte) 0x82}));
        assertEquals("\uFFFDx", s.feed(new byte[] {'x'}), "a cut sequence followed by ASCII");
        assertEquals("", s.feed(new byte[] {(byte) 0xF0}));
        assertEquals("\uFFFD", s.flush(), "an incomplete character at the end");
    }

    @Property(tries = 1000)
    void decodingMatchesTheJdkOnArbitraryBytes(@ForAll @Size(max = 12) byte[] bytes) {
        // the JDK reads ED A0..BF (an encoded surrogate) as one bad unit; Unicode and WHATWG say two (next test)
        for (int i = 0; i + 1 < bytes.length; i++) {
            if ((bytes[i] & 0xFF) == 0xED && (bytes[i + 1] & 0xFF) >= 0xA0 && (bytes[i + 1] & 0xFF) <= 0xBF) return;
        }
        assertEquals(new String(bytes, StandardCharsets.UTF_8), Utf8.decode(bytes, 0, bytes.length));
    }

    @Test
    void eachMaximalInvalidSubpartIsOneReplacementCharacter() {
        byte[] surrogate = {(byte) 0xED, (byte) 0xA0, (byte) 0x80}; // U+D800 encoded: never valid
        assertEquals("\uFFFD\uFFFD\uFFFD", Utf8.decode(surrogate, 0, 3));
        byte[] cut = {(byte) 0xF0, (byte) 0x9F, (byte) 0xA6, 'a'}; // a 4-byte sequence missing its last byte
        assertEquals("\uFFFDa", Utf8.decode(cut, 0, 4));
    }

    @Property(tries = 300)
    void streamingArbitraryBytesGivesTheSameTextAsDecodingThemAtOnce(@ForAll @Size(max = 12) byte[] bytes) {
        Utf8Stream s = new Utf8Stream();
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) out.append(s.feed(new byte[] {b}));
        out.append(s.flush());
        assertEquals(Utf8.decode(bytes, 0, bytes.length), out.toString());
    }

    private static byte[] slice(byte[] a, int from, int to) {
        byte[] out = new byte[to - from];
        System.arraycopy(a, from, out, 0, out.length);
        return out;
    }
}
