package dev.kiln.packager;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kiln.fuzz.Fuzz;
import dev.kiln.packager.hf.HfSource;
import dev.kiln.packager.hf.MemFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Fuzz target {@code tokenizer-config}: the stories260K checkpoint with its {@code tokenizer_config.json} replaced by the fuzzer's input,
 * read through {@link HfSource}, returns or throws a {@link ModelFormatException}.
 */
class TokenizerConfigFuzzTest {
    static final Fuzz FUZZ = new Fuzz("tokenizer-config", ModelFormatException.class);
    static Map<String, byte[]> checkpoint;

    @BeforeAll
    static void readCheckpoint() throws IOException {
        checkpoint = FuzzInputs.checkpoint();
        Assumptions.assumeTrue(checkpoint != null, "../shared/models/stories260K/hf is absent: no checkpoint to fuzz tokenizer_config.json in");
    }

    static Stream<byte[]> seeds() { return Stream.of(checkpoint.get("tokenizer_config.json"), Fuzz.utf8("{}")); }

    @MethodSource("seeds")
    @DictionaryFile(resourcePath = "hf-json.dict")
    @FuzzTest
    void theTokenizerConfigReaderReturnsOrThrowsAModelFormatException(byte[] input) {
        FUZZ.check(input, b -> {
            Map<String, byte[]> with = new LinkedHashMap<>(checkpoint);
            with.put("tokenizer_config.json", b);
            try (HfSource s = HfSource.open(new MemFiles(with))) {
                s.vocabulary();
            }
        });
    }

    @AfterAll
    static void report() throws IOException { FUZZ.report(); }
}
