package dev.kiln.tokenizer;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SentencePieceTest {

    private static Vocabs.Builder abc(float ab, float bc) {
        return new Vocabs.Builder(true).piece("a", -10).piece("b", -10).piece("c", -10).piece("ab", ab).piece("bc", bc);
    }

    private static int[] encode(Vocabs.Builder b, String text) {
        b.addSpacePrefix = false;
        return Tokenizer.of(b.build()).encode(text, false);
    }

    @Test
    void mergesThePairWithTheHighestScoreFirst() {
        Vocabs.Builder bcWins = abc(-2, -1), abWins = abc(-1, -2);
        assertArrayEquals(new int[] {bcWins.id("a"), bcWins.id("bc")}, encode(bcWins, "abc"));
        assertArrayEquals(new int[] {abWins.id("ab"), abWins.id("c")}, encode(abWins, "abc"));
    }

    @Test
    void mergesTheLeftmostPairOnEqualScores() {
        Vocabs.Builder v = new Vocabs.Builder(true).piece("a", -10).piece("aa", -1);
        assertArrayEquals(new int[] {v.id("aa"), v.id("aa"), v.id("a")}, encode(v, "aaaaa"));
    }

    @Test
    void keepsMergingWhileTheJoinedPairIsAToken() {
        Vocabs.Builder v = abc(-2, -1).piece("abc", -3);
        assertArrayEquals(new int[] {v.id("abc")}, encode(v, "abc"));
    }

    @Test
    void aCharacterWithoutATokenFallsBackToItsUtf8Bytes() {
        Vocabs.Builder v = abc(-1, -2);
        assertArrayEquals(new int[] {v.id("a"), Vocabs.BYTE0 + 0xC3, Vocabs.BYTE0 + 0xA9, Vocabs.BYTE0 + 0xF0,
                Vocabs.BYTE0 + 0x9F, Vocabs.BYTE0 + 0xA6, Vocabs.BYTE0 + 0x99}, encode(v, "aé🦙"));
    }

    @Test
    void withoutByteTokensAnUnknownCharacterBecomesUnk() {
        Vocabs.Builder v = new Vocabs.Builder(false).piece("a", -1);
        assertArrayEquals(new int[] {v.id("a"), Vocabs.UNK, v.id("a")}, encode(v, "aéa"));
    }

    @Test
    void prependsBosAndASpaceAndMarksSpaces() {
        Vocabs.Builder v = new Vocabs.Builder(true).piece(" ", -5).piece("a", -5).piece("b", -5).piece(" a", -1);
        Tokenizer t = Tokenizer.of(v.build());
        assertArrayEquals(new int[] {Vocabs.BOS, v.id(" a"), v.id(" "), v.id("b")}, t.encode("a b"));
        assertArrayEquals(new int[] {v.id(" a"), v.id(" "), v.id("b")}, t.encode("a b", false));
        assertArrayEquals(new int[] {v.id(" "), v.id(" a")}, t.encode(" a", false), "the prefix adds to a leading space");
    }

    @Test
    void emptyTextIsOnlyBos() {
        Tokenizer t = Tokenizer.of(new Vocabs.Builder(true).piece(" ", -1).build());
        assertArrayEquals(new int[] {Vocabs.BOS}, t.encode(""));
        assertArrayEquals(new int[0], t.encode("", false));
    }

    @Test
    void userDefinedTokensAreMatchedBeforeBpeAndRestartTheSpacePrefix() {
        Vocabs.Builder v = new Vocabs.Builder(true).piece(" ", -5).piece("a", -5).piece("b", -5)
                .piece(" a", -1).piece(" b", -1).add("<tag>", 0, Vocabulary.USER_DEFINED);
        int[] ids = Tokenizer.of(v.build()).encode("a<tag>b", false);
        assertArrayEquals(new int[] {v.id(" a"), v.id("<tag>"), v.id(" b")}, ids);
    }

    @Test
    void controlTokensAreNotParsedFromText() {
        Vocabs.Builder v = new Vocabs.Builder(true).piece("<", -1).piece("s", -1).piece(">", -1);
        v.addSpacePrefix = false;
        int[] ids = Tokenizer.of(v.build()).encode("<s>", false);
        assertArrayEquals(new int[] {v.id("<"), v.id("s"), v.id(">")}, ids);
    }

    @Test
    void tokenBytesFollowTheTokenType() {
        Vocabs.Builder v = new Vocabs.Builder(true).piece(" héllo", -1);
        Tokenizer t = Tokenizer.of(v.build());
        assertArrayEquals(new byte[0], t.tokenBytes(Vocabs.BOS));
        assertArrayEquals(new byte[] {(byte) 0xC3}, t.tokenBytes(Vocabs.BYTE0 + 0xC3));
        assertArrayEquals(" héllo".getBytes(StandardCharsets.UTF_8), t.tokenBytes(v.id(" héllo")));
        assertThrows(IllegalArgumentException.class, () -> t.tokenBytes(v.tokens.size()));
    }

    @Test
    void decodeJoinsBytesBeforeUtf8SoSplitCharactersComeOutWhole() {
        Tokenizer t = Tokenizer.of(new Vocabs.Builder(true).piece(" ", -1).build());
        int[] llama = {Vocabs.BOS, Vocabs.BYTE0 + 0xF0, Vocabs.BYTE0 + 0x9F, Vocabs.BYTE0 + 0xA6, Vocabs.BYTE0 + 0x99};
        assertEquals("🦙", t.decode(llama));
        assertEquals("\uFFFD", t.decode(new int[] {Vocabs.BYTE0 + 0xF0, Vocabs.BYTE0 + 0x9F}), "a cut character is U+FFFD");
    }

    @Test
    void aNormalizerOnASentencePieceVocabularyIsRefusedWithAClearMessage() {
        Vocabulary v = new Vocabulary("spm", List.of("a"), new float[] {0}, new int[] {1}, List.of(), -1, -1, -1, false, false,
                List.of(), Vocabulary.NFC, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.of(v, s -> s));
        assertTrue(e.getMessage().contains("nfc"), e.getMessage());
    }

    private static final Tokenizer SMALL = Tokenizer.of(new Vocabs.Builder(true)
            .piece(" ", -3).piece("e", -4).piece("t", -4).piece("h", -4).piece("th", -2).piece(" th", -1)
            .piece("the", -1.5f).piece(" the", -0.5f).piece("é", -6).build());

    @Property(tries = 300)
    void decodeOfEncodeGivesTheTextBackWithTheSpacePrefix(@ForAll("texts") String text) {
        int[] ids = SMALL.encode(text);
        assertEquals(Vocabs.BOS, ids[0]);
        assertEquals(text.isEmpty() ? "" : " " + text, SMALL.decode(ids));
    }

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<Integer> cp = Arbitraries.oneOf(
                Arbitraries.of((int) ' ', (int) 't', (int) 'h', (int) 'e', (int) 'é', (int) '\n'),
                Arbitraries.integers().between(0x20, 0x7E),
                Arbitraries.integers().between(0xA0, 0xD7FF),
                Arbitraries.integers().between(0xE000, 0xFFFD),
                Arbitraries.integers().between(0x10000, 0x10FFFF));
        return cp.list().ofMaxSize(20).map(list -> {
            StringBuilder b = new StringBuilder();
            for (int c : list) b.appendCodePoint(c);
            return b.toString();
        });
    }
}
