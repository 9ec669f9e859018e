package dev.kiln.tokenizer;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PreTokenizerTest {

    private static List<String> split(String name, String text) {
        List<String> out = new ArrayList<>();
        new PreTokenizer(List.of(name)).split(text, out);
        return out;
    }

    @Test
    void gptTwoKeepsOneLeadingSpaceWithAWordAndLeavesTheLastSpaceOfARunToTheNextWord() {
        assertEquals(List.of("Hello", " world", "'s", " ", " 3", " 33", "!!", "\n"), split("gpt-2", "Hello world's  3 33!!\n"));
        assertEquals(List.of("I", "'", "M"), split("gpt-2", "I'M"), "GPT-2's contractions are lower case only");
    }

    @Test
    void llamaThreeMatchesContractionsInAnyCaseAndGroupsDigitsByThree() {
        assertEquals(List.of("I", "'M", " here"), split("llama-bpe", "I'M here"));
        assertEquals(List.of("123", "456", "7", " abc"), split("llama-bpe", "1234567 abc"));
        assertEquals(List.of("Hi", ".\n\n", " ", " x"), split("llama-bpe", "Hi.\n\n  x"), "punctuation keeps its line breaks");
    }

    @Test
    void qwenTwoSplitsEveryDigit() {
        assertEquals(List.of("1", "2", "3", " abc"), split("qwen2", "123 abc"));
    }

    @Test
    void smolLmIsolatesEveryUnicodeDigitBeforeGptTwosPattern() {
        assertEquals(List.of("a", "1", "2", " ", "½", " ", "３"), split("smollm", "a12 ½ ３"));
    }

    @Test
    void whitespaceIsUnicodeWhiteSpaceAsInOniguruma() {
        // with Java's ASCII \s the two ideographic spaces would be one punctuation-like piece
        assertEquals(List.of("a", "\u3000", "\u3000b"), split("llama-bpe", "a\u3000\u3000b"));
        assertEquals(List.of("a", "\u3000", "\u3000", "b"), split("gpt-2", "a\u3000\u3000b"));
    }

    @Test
    void numbersAreEveryUnicodeNumberWithoutUsingPN() {
        assertEquals(List.of("Ⅻ½٣", " 3"), split("gpt-2", "Ⅻ½٣ 3"));
        String java = PreTokenizer.toJava(PreTokenizer.GPT2);
        assertFalse(java.contains("\\p{N}"), java);
        assertFalse(java.contains("\\s"), java);
    }

    @Test
    void negatedClassesBecomeLookaheadsBecauseTeaVmMisreadsThem() {
        assertEquals("(?:(?![\\t\\n\\x0B\\f\\r\\x20\\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\p{L}\\p{Nd}\\p{Nl}\\p{No}])(?s:.))",
                PreTokenizer.toJava("[^\\s\\p{L}\\p{N}]"));
        for (String name : List.of(PreTokenizer.GPT2, PreTokenizer.LLAMA3, PreTokenizer.QWEN2)) {
            assertFalse(PreTokenizer.toJava(name).contains("[^"), name);
        }
        assertEquals("a(?:(?!\\n)(?s:.))", PreTokenizer.toJava("a."), "Oniguruma's '.' stops only at \\n");
        assertThrows(IllegalArgumentException.class, () -> PreTokenizer.toJava("[\\S]"));
        assertThrows(IllegalArgumentException.class, () -> PreTokenizer.toJava("[a[^b]]"));
        assertThrows(IllegalArgumentException.class, () -> PreTokenizer.toJava("[abc"));
    }

    @Test
    void regexesApplyInOrderAndKeepTheGapsBetweenMatches() {
        List<String> out = new ArrayList<>();
        new PreTokenizer(List.of("\\d", "b+")).split("ab12bbc", out);
        assertEquals(List.of("a", "b", "1", "2", "bb", "c"), out);
    }

    @Property(tries = 300)
    void thePiecesAreExactlyTheText(@ForAll String text) {
        for (String name : PreTokenizer.NAMES) assertEquals(text, String.join("", split(name, text)), name);
    }
}
