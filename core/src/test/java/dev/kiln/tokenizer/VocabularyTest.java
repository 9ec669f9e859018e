package dev.kiln.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VocabularyTest {

    private static Vocabulary bpe(List<String> pre, String normalizer, boolean ignoreMerges) {
        return new Vocabulary("bpe", List.of("a", "b", "ab"), new float[0], new int[] {1, 1, 1}, List.of("a b"), -1, 2, -1,
                false, false, pre, normalizer, ignoreMerges);
    }

    @Test
    void preNormalizerAndIgnoreMergesSurviveTheFile() {
        Vocabulary v = Vocabulary.fromJson(bpe(List.of("llama-bpe", "\\p{N}"), Vocabulary.NFC, true).toJson());
        assertEquals(List.of("llama-bpe", "\\p{N}"), v.pre());
        assertEquals("nfc", v.normalizer());
        assertTrue(v.ignoreMerges());
        assertEquals(List.of("a b"), v.merges());
        assertEquals(2, v.eos());
    }

    @Test
    void defaultsAreNotWrittenSoOlderFilesKeepTheirBytes() {
        String json = bpe(List.of(), "", false).toJson();
        assertFalse(json.contains("\"pre\"") || json.contains("\"normalizer\"") || json.contains("\"ignore_merges\""), json);
        assertEquals(json, new Vocabulary("bpe", List.of("a", "b", "ab"), new float[0], new int[] {1, 1, 1}, List.of("a b"),
                -1, 2, -1, false, false).toJson(), "the ten-argument constructor means the defaults");
    }

    @Test
    void aFileWithoutTheNewKeysReadsWithTheDefaults() {
        String old = "{\"format\":\"kiln-tokenizer\",\"version\":1,\"model\":\"bpe\",\"bos\":-1,\"eos\":-1,\"unk\":-1,"
                + "\"add_bos\":false,\"add_space_prefix\":false,\"tokens\":[\"a\"],\"scores\":[],\"types\":[1],\"merges\":[]}";
        Vocabulary v = Vocabulary.fromJson(old);
        assertEquals(List.of(), v.pre());
        assertEquals("", v.normalizer());
        assertFalse(v.ignoreMerges());
        assertArrayEquals(new int[] {1}, v.types());
    }

    @Test
    void anUnknownNormalizerIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bpe(List.of(), "nfkc", false));
        assertTrue(e.getMessage().contains("nfkc"), e.getMessage());
    }

    @Test
    void endOfGenerationIdsSurviveTheFileAndJoinEos() {
        Vocabulary v = bpe(List.of(), "", false).withEog(new int[] {2, 0});
        Vocabulary back = Vocabulary.fromJson(v.toJson());
        assertArrayEquals(new int[] {2, 0}, back.eog());
        assertArrayEquals(new int[] {2, 0}, back.endOfGeneration(), "eos 2 first, not repeated");
        assertFalse(bpe(List.of(), "", false).toJson().contains("eog"), "no extra ids, no key");
        assertThrows(IllegalArgumentException.class, () -> bpe(List.of(), "", false).withEog(new int[] {3}));
    }
}
