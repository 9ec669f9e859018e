package dev.kiln.golden;

import dev.kiln.tokenizer.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * llama.cpp's own tokenizer test for GPT-2's byte-level BPE vocabulary (50 257 tokens, 50 000 merges, pre-tokenizer
 * "gpt-2"): every string of {@code ggml-vocab-gpt-2.gguf.inp} gives exactly the ids of its {@code .out} line
 * (add_special=false, parse_special=false: no BOS). The vocabulary goes through the packaged path (GGUF reading, our
 * tokenizer file codec, {@link Tokenizer#of}).
 */
class GptTwoVocabTest {
    private static VocabFiles files;
    private static Tokenizer tokenizer;
    private static long buildMs;

    @BeforeAll
    static void load() throws IOException {
        files = VocabFiles.read("ggml-vocab-gpt-2");
        long t0 = System.nanoTime();
        tokenizer = Tokenizer.of(files.vocab());
        buildMs = (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void everyTestStringGivesLlamaCppsIds() {
        List<Executable> checks = new ArrayList<>();
        for (int i = 0; i < files.texts().size(); i++) {
            String text = files.texts().get(i);
            int[] expected = files.ids().get(i);
            int line = i + 1;
            checks.add(() -> {
                int[] got = tokenizer.encode(text, false);
                assertArrayEquals(expected, got, "line " + line + " '" + text + "': got " + Arrays.toString(got));
            });
        }
        assertAll(checks);
    }

    @Test
    void decodingTheIdsGivesEveryTextBackExactly() {
        assertAll(files.texts().stream().map(t -> () -> assertEquals(t, tokenizer.decode(tokenizer.encode(t)), "'" + t + "'")));
    }

    @Test
    void thePreTokenizerComesFromTheGgufMetadata() {
        // tokenizer.ggml.pre of llama.cpp's GPT-2 vocabulary is "gpt-2": recorded, so the engine splits like llama.cpp
        assertEquals(List.of("gpt-2"), files.vocab().pre());
        assertEquals(false, files.vocab().ignoreMerges());
        assertEquals("", files.vocab().normalizer());
    }

    @Test
    void aGptTwoPromptHasNoBos() {
        assertFalse(files.vocab().addBos());
        assertArrayEquals(new int[] {15496, 995}, tokenizer.encode("Hello world"));
    }

    @Test
    void theWholeTestFileTokenizesInWellUnderASecond() {
        // the first pass, cold: what a page pays for its first prompt (the vocabulary build is measured apart)
        long t0 = System.nanoTime();
        int n = 0;
        for (String t : files.texts()) n += tokenizer.encode(t, false).length;
        long coldMs = (System.nanoTime() - t0) / 1_000_000;
        t0 = System.nanoTime();
        for (int k = 0; k < 20; k++) for (String t : files.texts()) tokenizer.encode(t, false);
        double warmMs = (System.nanoTime() - t0) / 1e6 / 20;
        System.out.printf("GPT-2 vocabulary: build %d ms; %d strings -> %d tokens: first pass %d ms, warm %.2f ms%n",
                buildMs, files.texts().size(), n, coldMs, warmMs);
        assertTrue(coldMs < 500, "the GPT-2 test file took " + coldMs + " ms to tokenize (cold), expected well under 1 s");
    }
}
