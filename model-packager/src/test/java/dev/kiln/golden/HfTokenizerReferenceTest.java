package dev.kiln.golden;

import dev.kiln.json.Json;
import dev.kiln.packager.Shared;
import dev.kiln.tokenizer.ByteLevelBpe;
import dev.kiln.tokenizer.Nfc;
import dev.kiln.tokenizer.Tokenizer;
import dev.kiln.tokenizer.Vocabulary;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.nio.file.Files;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Our tokenizers against Hugging Face's own JavaScript tokenizer (npm {@code @huggingface/tokenizers}) on the same
 * tokenizer.json, over llama.cpp's test strings and a corpus of tricky ones: whitespace runs, line breaks, Unicode
 * spaces and digits, contractions in any case, NFC-sensitive sequences, emoji with joiners and modifiers, many scripts,
 * added tokens inside text. Byte-level files are written from GPT-2's vocabulary in the shapes of GPT-2, Llama 3,
 * Qwen2 and SmolLM2 (see {@link TokenizerJson}); the SentencePiece one is stories260K's shipped tokenizer.json.
 * Added tokens are matched in the text on both sides (Hugging Face always does; ours with parseSpecial).
 */
class HfTokenizerReferenceTest {
    /** The JVM's NFC; the browser passes String.prototype.normalize. */
    private static final Nfc JVM_NFC = s -> Normalizer.normalize(s, Normalizer.Form.NFC);

    static final List<String> TRICKY = List.of(
            "Hello, y'all! I'M here, WE'LL see, she'S, they'Re, it'd, I've",
            "don't DON'T Don'T 'tis ''quoted'' '", "   leading and trailing   ", "\n", "\r\n\r\n", "a\r\nb\n\n\nc",
            "tabs\t\tand\u00a0no-break\u3000ideographic\u2003em\u2028line-sep", " \t \n \u00a0 ",
            "1234567890 12 123 1234 3.14159 -42 1e10 0x1F", "٣٤٥٦ ३४५ ３４５ Ⅻ ⅷ ½ ¾ ² ①②③",
            "e\u0301 cafe\u0301 A\u030A \u1100\u1161\u11A8 Å é", "ﬁ ligature, ǅ title case, ß and ẞ",
            "👨‍👩‍👧‍👦 family 🏳️‍🌈 flag 👍🏽 skin 🇫🇷 regional ✅ 🦙",
            "日本語のテキスト、漢字とかな。", "한국어 텍스트입니다", "العربية: مرحبا بالعالم", "हिन्दी पाठ", "ภาษาไทย ไม่มีช่องว่าง",
            "Ελληνικά κείμενο", "Кириллица, Ёё", "עברית", "ქართული", "Tiếng Việt có dấu",
            "def f(x):\n    return x**2  # comment\n\tpass", "https://example.com/a?b=c&d=e#f", "email@example.org",
            "<|endoftext|>", "a<|endoftext|>b", " <|endoftext|> ", "<|endoftext|><|endoftext|>", "<|endoftext",
            "<|begin_of_text|>Hello<|eot_id|>", "call <tool_call> now<tool_call>", "<tool_call <tool_call>>",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            " ".repeat(300) + "x", "!!!???...,,,;;;::: ---=== ***", "$100 €50 £20 ¥1000", "x" + "\n".repeat(5) + " y");

    private static Vocabulary gpt2;
    private static List<String> corpus;

    @BeforeAll
    static void load() throws Exception {
        VocabFiles files = VocabFiles.read("ggml-vocab-gpt-2");
        gpt2 = files.vocab();
        corpus = new ArrayList<>(files.texts());
        corpus.addAll(TRICKY);
    }

    @Test
    void gptTwoEncodesLikeHuggingFace() throws Exception {
        compare(TokenizerJson.gpt2(gpt2), (ByteLevelBpe) Tokenizer.of(gpt2), false);
    }

    @Test
    void llamaThreeByNameEncodesLikeHuggingFace() throws Exception {
        Vocabulary v = withAdded(List.of("llama-bpe"), "", true);
        compare(TokenizerJson.llama3(v), (ByteLevelBpe) Tokenizer.of(v), false);
    }

    @Test
    void llamaThreeByItsRawHuggingFaceRegexEncodesLikeHuggingFace() throws Exception {
        Vocabulary v = withAdded(List.of(TokenizerJson.LLAMA3_REGEX), "", true);
        compare(TokenizerJson.llama3(v), (ByteLevelBpe) Tokenizer.of(v), false);
    }

    @Test
    void qwenTwoWithNfcEncodesLikeHuggingFace() throws Exception {
        Vocabulary v = withAdded(List.of("qwen2"), Vocabulary.NFC, false);
        compare(TokenizerJson.qwen2(v), (ByteLevelBpe) Tokenizer.of(v, JVM_NFC), true);
    }

    @Test
    void qwenTwoByItsRawHuggingFaceRegexEncodesLikeHuggingFace() throws Exception {
        Vocabulary v = withAdded(List.of(TokenizerJson.QWEN2_REGEX), Vocabulary.NFC, false);
        compare(TokenizerJson.qwen2(v), (ByteLevelBpe) Tokenizer.of(v, JVM_NFC), true);
    }

    /**
     * SmolLM2 isolates every digit before GPT-2's regex. Which digits: Rust tokenizers' Digits uses
     * {@code char::is_numeric} (all of \p{N}) and llama.cpp's "smollm" {@code \p{N}}, as we do; the JS port uses
     * JavaScript's ASCII-only {@code \d}, so texts with other numerals (½, ３, Ⅻ, ٣) are left out of this comparison.
     */
    @Test
    void smolLmEncodesLikeHuggingFaceOnAsciiDigits() throws Exception {
        Vocabulary v = withAdded(List.of("smollm"), "", false);
        List<String> asciiDigits = corpus.stream().filter(t -> t.codePoints().noneMatch(c -> !(c >= '0' && c <= '9')
                && (Character.getType(c) == Character.DECIMAL_DIGIT_NUMBER || Character.getType(c) == Character.LETTER_NUMBER
                || Character.getType(c) == Character.OTHER_NUMBER))).toList();
        compare(TokenizerJson.smollm(v), (ByteLevelBpe) Tokenizer.of(v), false, asciiDigits);
    }

    /** stories260K: SentencePiece (scores, from the GGUF) against the shipped tokenizer.json (BPE merges by rank). */
    @Test
    void storiesSentencePieceEncodesLikeHuggingFaceOnTheSameVocabulary() throws Exception {
        Tokenizer ours = Tokenizer.of(VocabFiles.vocabulary(Shared.stories("stories260K.gguf")));
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(Files.readString(Shared.stories("hf/tokenizer.json")));
        @SuppressWarnings("unchecked")
        Map<String, Object> config = (Map<String, Object>) Json.parse(Files.readString(Shared.stories("hf/tokenizer_config.json")));
        HfReference.Result hf = HfReference.encode(json, config, corpus);
        List<Executable> checks = new ArrayList<>();
        for (int i = 0; i < corpus.size(); i++) {
            String t = corpus.get(i);
            int[] expected = hf.ids().get(i), got = ours.encode(t, false);
            checks.add(() -> assertArrayEquals(expected, got, "'" + t + "': Hugging Face " + Arrays.toString(expected)
                    + ", ours " + Arrays.toString(got)));
        }
        assertAll(checks);
    }

    /** Same ids as Hugging Face for every text; decoding gives the (NFC-normalized) text back, and equals Hugging Face's decoding. */
    private static void compare(Map<String, Object> tokenizerJson, ByteLevelBpe ours, boolean nfc) throws Exception {
        compare(tokenizerJson, ours, nfc, corpus);
    }

    private static void compare(Map<String, Object> tokenizerJson, ByteLevelBpe ours, boolean nfc, List<String> corpus) throws Exception {
        HfReference.Result hf = HfReference.encode(tokenizerJson, Map.of(), corpus);
        List<Executable> checks = new ArrayList<>();
        for (int i = 0; i < corpus.size(); i++) {
            String t = corpus.get(i);
            String expectedText = nfc ? JVM_NFC.normalize(t) : t;
            int[] expected = hf.ids().get(i), got = ours.encode(t, false, true);
            String hfText = hf.decoded().get(i);
            checks.add(() -> assertArrayEquals(expected, got, "'" + t + "': Hugging Face " + Arrays.toString(expected)
                    + ", ours " + Arrays.toString(got)));
            // control tokens decode to nothing (llama.cpp's and Hugging Face's skip_special_tokens); other text comes back
            if (!hasControlToken(t)) checks.add(() -> assertEquals(expectedText, ours.decode(got), "round trip of '" + t + "'"));
            checks.add(() -> assertEquals(hfText, ours.decode(got), "Hugging Face's decoding of '" + t + "'"));
        }
        assertAll(checks);
    }

    private static boolean hasControlToken(String t) {
        return t.contains("<|endoftext|>") || t.contains("<|begin_of_text|>") || t.contains("<|eot_id|>");
    }

    /** GPT-2's vocabulary plus two special tokens and one plain added token, with the given pre-tokenizer settings. */
    private static Vocabulary withAdded(List<String> pre, String normalizer, boolean ignoreMerges) {
        List<String> tokens = new ArrayList<>(gpt2.tokens());
        tokens.addAll(List.of("<|begin_of_text|>", "<|eot_id|>", "<tool_call>"));
        int[] types = Arrays.copyOf(gpt2.types(), tokens.size());
        types[tokens.size() - 3] = Vocabulary.CONTROL;
        types[tokens.size() - 2] = Vocabulary.CONTROL;
        types[tokens.size() - 1] = Vocabulary.USER_DEFINED;
        return new Vocabulary("bpe", tokens, new float[0], types, gpt2.merges(), tokens.size() - 3, tokens.size() - 2,
                gpt2.unk(), false, false, pre, normalizer, ignoreMerges);
    }

}
