package dev.kiln.tokenizer;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ByteLevelBpeTest {

    @Test
    void theByteAlphabetSpellsEveryByteWithItsOwnPrintableCharacter() {
        Set<Character> seen = new HashSet<>();
        for (int b = 0; b < 256; b++) {
            char c = ByteLevel.charOf(b);
            assertTrue(seen.add(c), "byte " + b + " shares its character");
            assertTrue(!Character.isWhitespace(c) && !Character.isISOControl(c), "byte " + b + " is spelled unprintably");
            assertEquals(b, ByteLevel.byteOf(c));
        }
        assertEquals('Ġ', ByteLevel.charOf(' '));
        assertEquals('Ċ', ByteLevel.charOf('\n'));
        assertEquals('a', ByteLevel.charOf('a'));
        assertEquals(-1, ByteLevel.byteOf('\u2581'));
    }

    @Test
    void mergesTheLowestRankedPairFirst() {
        BpeVocabs bcFirst = new BpeVocabs().merge("b", "c").merge("a", "b");
        BpeVocabs abFirst = new BpeVocabs().merge("a", "b").merge("b", "c");
        assertArrayEquals(new int[] {'a', bcFirst.id("bc")}, bcFirst.tokenizer().encode("abc", false));
        assertArrayEquals(new int[] {abFirst.id("ab"), 'c'}, abFirst.tokenizer().encode("abc", false));
    }

    @Test
    void mergesTheLeftmostPairOnEqualRanks() {
        BpeVocabs v = new BpeVocabs().merge("a", "a");
        assertArrayEquals(new int[] {v.id("aa"), v.id("aa"), 'a'}, v.tokenizer().encode("aaaaa", false));
    }

    @Test
    void keepsMergingWhileAnAdjacentPairHasARule() {
        BpeVocabs v = new BpeVocabs().merge("a", "b").merge("ab", "c").merge("abc", "abc");
        assertArrayEquals(new int[] {v.id("abcabc"), v.id("ab")}, v.tokenizer().encode("abcabcab", false));
    }

    @Test
    void multiByteCharactersStartAsOneSymbolPerUtf8Byte() {
        BpeVocabs v = new BpeVocabs();
        byte[] llama = "🦙".getBytes(StandardCharsets.UTF_8);
        int[] ids = v.tokenizer().encode("🦙", false);
        assertEquals(4, ids.length);
        for (int i = 0; i < 4; i++) assertEquals(llama[i] & 0xFF, ids[i]);
    }

    @Test
    void noTokenCrossesAPreTokenBoundary() {
        BpeVocabs v = new BpeVocabs().merge("o", " ").merge("o ", "w"); // "o w" could merge, but " w" starts a new piece
        int[] ids = v.tokenizer().encode("hello world", false);
        assertEquals("hello world", v.tokenizer().decode(ids));
        for (int id : ids) assertTrue(id != v.id("o ") && id != v.id("o w"), "a merge crossed ' world'");
    }

    @Test
    void userDefinedTokensAreAlwaysCutOutAndControlTokensOnlyWithParseSpecial() {
        BpeVocabs v = new BpeVocabs().add("<tool>", Vocabulary.USER_DEFINED).add("<|end|>", Vocabulary.CONTROL);
        ByteLevelBpe t = v.tokenizer();
        assertArrayEquals(new int[] {'a', v.added("<tool>"), 'b'}, t.encode("a<tool>b", false));
        int[] spelled = t.encode("<|end|>", false);
        assertEquals(7, spelled.length, "without parseSpecial a control token's text is ordinary text");
        assertArrayEquals(new int[] {'x', v.added("<|end|>"), v.added("<tool>")}, t.encode("x<|end|><tool>", false, true));
    }

    @Test
    void theLongestAddedTokenWins() {
        BpeVocabs v = new BpeVocabs().add("<a>", Vocabulary.USER_DEFINED).add("<a><b>", Vocabulary.USER_DEFINED);
        assertArrayEquals(new int[] {v.added("<a><b>"), v.added("<a>")}, v.tokenizer().encode("<a><b><a>", false));
    }

    @Test
    void ignoreMergesEmitsAPieceThatIsAlreadyAToken() {
        BpeVocabs v = new BpeVocabs().merge("a", "b").token("abc");
        assertArrayEquals(new int[] {v.id("ab"), 'c'}, v.tokenizer().encode("abc", false));
        v.ignoreMerges = true;
        assertArrayEquals(new int[] {v.id("abc")}, v.tokenizer().encode("abc", false));
    }

    @Test
    void nfcIsAppliedWhenTheVocabularyAsksAndItsAbsenceIsAClearError() {
        BpeVocabs v = new BpeVocabs();
        v.normalizer = Vocabulary.NFC;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.of(v.build()));
        assertTrue(e.getMessage().contains("NFC"), e.getMessage());
        ByteLevelBpe t = v.tokenizer();
        assertArrayEquals(t.encode("caf\u00e9", false), t.encode("cafe\u0301", false));
        assertEquals("caf\u00e9", t.decode(t.encode("cafe\u0301", false)));
        v.normalizer = "";
        assertEquals("cafe\u0301", v.tokenizer().decode(v.tokenizer().encode("cafe\u0301", false)), "no normalizer: text kept as is");
    }

    @Test
    void theSpacePrefixIsAddedUnlessTheTextStartsWithASpace() {
        BpeVocabs v = new BpeVocabs();
        v.addSpacePrefix = true;
        ByteLevelBpe t = v.tokenizer();
        assertEquals(" hi", t.decode(t.encode("hi", false)));
        assertEquals(" hi", t.decode(t.encode(" hi", false)));
    }

    @Test
    void tokenBytesFollowTheTokenType() {
        BpeVocabs v = new BpeVocabs().token(" hé").add("<tool>", Vocabulary.USER_DEFINED).add("<|end|>", Vocabulary.CONTROL);
        ByteLevelBpe t = v.tokenizer();
        assertArrayEquals(" hé".getBytes(StandardCharsets.UTF_8), t.tokenBytes(v.id(" hé")));
        assertArrayEquals(new byte[] {(byte) 0xC3}, t.tokenBytes(0xC3));
        assertArrayEquals("<tool>".getBytes(StandardCharsets.UTF_8), t.tokenBytes(v.added("<tool>")));
        assertArrayEquals(new byte[0], t.tokenBytes(v.added("<|end|>")));
        assertThrows(IllegalArgumentException.class, () -> t.tokenBytes(v.tokens.size()));
    }

    @Test
    void aByteWithoutATokenBecomesUnkOrAClearError() {
        BpeVocabs v = new BpeVocabs();
        v.tokens.set(0xF0, "<dropped>");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.tokenizer().encode("🦙", false));
        assertTrue(e.getMessage().contains("0xf0"), e.getMessage());
        v.add("<unk>", Vocabulary.UNKNOWN);
        v.unk = v.added("<unk>");
        int[] ids = v.tokenizer().encode("🦙", false);
        assertArrayEquals(new int[] {v.unk, 0x9F, 0xA6, 0x99}, ids);
    }

    @Test
    void aMergeNamingAMissingTokenIsRefused() {
        BpeVocabs v = new BpeVocabs();
        v.merges.add("a b"); // "ab" is no token
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, v::tokenizer);
        assertTrue(e.getMessage().contains("'ab'"), e.getMessage());
    }

    @Test
    void anUnknownPreTokenizerIsRefusedNamingTheKnownOnes() {
        BpeVocabs v = new BpeVocabs();
        v.pre = List.of("[unclosed");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, v::tokenizer);
        assertTrue(e.getMessage().contains("[unclosed") && e.getMessage().contains("llama-bpe"), e.getMessage());
    }

    @Test
    void emptyTextIsNoTokens() {
        assertArrayEquals(new int[0], new BpeVocabs().tokenizer().encode("", false));
    }

    private static ByteLevelBpe small(String pre) {
        BpeVocabs v = new BpeVocabs().merge(" ", "t").merge("h", "e").merge(" t", "he")
                .merge(" ", " ").merge("\n", "\n").merge("e", "t").merge("1", "2");
        v.pre = List.of(pre);
        return v.tokenizer();
    }

    private static final List<ByteLevelBpe> SMALL = List.of(small("gpt-2"), small("llama-bpe"), small("qwen2"), small("smollm"));

    @Property(tries = 300)
    void decodeOfEncodeGivesTheTextBackForEveryPreTokenizer(@ForAll("texts") String text) {
        for (ByteLevelBpe t : SMALL) assertEquals(text, t.decode(t.encode(text, false)));
    }

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<Integer> cp = Arbitraries.oneOf(
                Arbitraries.of((int) ' ', (int) 't', (int) 'h', (int) 'e', (int) 'é', (int) '\n', (int) '\r', (int) '\t',
                        (int) '\'', (int) '1', (int) '2', 0x3000, 0xA0, 0x2028, 0x200D, 0xFE0F),
                Arbitraries.integers().between(0x20, 0x7E),
                Arbitraries.integers().between(0xA0, 0xD7FF),
                Arbitraries.integers().between(0xE000, 0xFFFD),
                Arbitraries.integers().between(0x10000, 0x10FFFF));
        return cp.list().ofMaxSize(24).map(list -> {
            StringBuilder b = new StringBuilder();
            for (int c : list) b.appendCodePoint(c);
            return b.toString();
        });
    }
}
