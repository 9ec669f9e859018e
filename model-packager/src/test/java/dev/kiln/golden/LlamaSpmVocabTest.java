package dev.kiln.golden;

import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeStyle;
import dev.kiln.packager.Shared;
import dev.kiln.packager.gguf.GgufFile;
import dev.kiln.packager.gguf.GgufModel;
import dev.kiln.tokenizer.Tokenizer;
import dev.kiln.tokenizer.Vocabulary;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * llama.cpp's own tokenizer test for the Llama 2 SentencePiece vocabulary (32 000 tokens): every string of
 * {@code ggml-vocab-llama-spm.gguf.inp} gives exactly the ids of the matching {@code .out} line. Provenance:
 * ../shared/models/SOURCES.md (llama.cpp models/, produced with add_special=false, parse_special=false: no BOS,
 * but the space prefix is still added — llama.cpp prepends it to the first text fragment whenever the vocabulary's
 * add_space_prefix is on, BOS or not, and not at all to empty text).
 *
 * <p>The vocabulary goes through the same path as a packaged model's: the packager's GGUF reading
 * ({@link GgufModel#vocabulary}), then our tokenizer file codec, then {@link Tokenizer#of}.
 */
class LlamaSpmVocabTest {
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";
    private static Tokenizer tokenizer;
    private static Vocabulary vocab;

    @BeforeAll
    static void load() throws IOException {
        try (GgufFile f = GgufFile.open(Shared.model("tokenizers/ggml-vocab-llama-spm.gguf"))) {
            // a vocabulary-only file has no llama.* tensors: the config carries just what vocabulary() reads
            int n = f.strings("tokenizer.ggml.tokens").size();
            int bos = (int) (long) f.optLong("tokenizer.ggml.bos_token_id").orElse(-1L);
            int eos = (int) (long) f.optLong("tokenizer.ggml.eos_token_id").orElse(-1L);
            ModelConfig c = new ModelConfig("llama", 2, 1, 1, 1, 2, 1, n, 1e-5f, 10000f, RopeStyle.INTERLEAVED, 1, bos, eos, true);
            vocab = Vocabulary.fromJson(GgufModel.vocabulary(f, c).toJson());
        }
        tokenizer = Tokenizer.of(vocab);
    }

    @Test
    void everyTestStringGivesLlamaCppsIds() throws IOException {
        Path inp = Shared.model("tokenizers/ggml-vocab-llama-spm.gguf.inp");
        String[] texts = strings(inp);
        List<String> lines = Files.readAllLines(inp.resolveSibling("ggml-vocab-llama-spm.gguf.out"));
        assertEquals(lines.size(), texts.length, "one .out line per .inp string");
        List<org.junit.jupiter.api.function.Executable> checks = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            String text = texts[i];
            int[] expected = parse(lines.get(i));
            int line = i + 1;
            checks.add(() -> assertArrayEquals(expected, tokenizer.encode(text, false),
                    "line " + line + " '" + text + "': got " + Arrays.toString(tokenizer.encode(text, false))));
        }
        assertAll(checks);
    }

    @Test
    void decodingTheIdsGivesTheTextBackWithTheSpacePrefix() throws IOException {
        String[] texts = strings(Shared.model("tokenizers/ggml-vocab-llama-spm.gguf.inp"));
        assertAll(Arrays.stream(texts).map(t -> () ->
                assertEquals(t.isEmpty() ? "" : " " + t, tokenizer.decode(tokenizer.encode(t)), "'" + t + "'")));
    }

    @Test
    void aPromptStartsWithBos() {
        assertEquals(vocab.bos(), tokenizer.encode("Hello")[0]);
        assertEquals(1, vocab.bos());
    }

    /** The test strings: the file separates them, and ends, with the separator line. */
    private static String[] strings(Path inp) throws IOException {
        String all = Files.readString(inp);
        if (!all.endsWith(SEPARATOR)) throw new IllegalStateException(inp + " does not end with the separator");
        return all.substring(0, all.length() - SEPARATOR.length()).split(SEPARATOR, -1);
    }

    private static int[] parse(String line) {
        String s = line.trim();
        if (s.isEmpty()) return new int[0];
        return Arrays.stream(s.split("\\s+")).mapToInt(Integer::parseInt).toArray();
    }
}
