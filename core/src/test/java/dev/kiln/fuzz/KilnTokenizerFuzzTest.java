package dev.kiln.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kiln.json.JsonException;
import dev.kiln.tokenizer.Vocabulary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.stream.Stream;

/** Fuzz target {@code kiln-tokenizer}: {@link Vocabulary#fromJson} (our tokenizer file) returns or throws a typed input error. */
class KilnTokenizerFuzzTest {
    static final Fuzz FUZZ = new Fuzz("kiln-tokenizer", JsonException.class, IllegalArgumentException.class);

    static Stream<byte[]> seeds() { return Stream.of(Fuzz.utf8(CoreSeeds.vocabulary())); }

    @MethodSource("seeds")
    @DictionaryFile(resourcePath = "json.dict")
    @FuzzTest
    void theTokenizerFileReaderReturnsOrThrowsATypedInputError(byte[] input) {
        FUZZ.check(input, b -> Vocabulary.fromJson(CoreSeeds.string(b)));
    }

    @AfterAll
    static void report() throws IOException { FUZZ.report(); }
}
