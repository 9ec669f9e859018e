package dev.kiln.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kiln.json.JsonException;
import dev.kiln.model.Manifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.stream.Stream;

/** Fuzz target {@code manifest}: {@link Manifest#fromJson} returns or throws one of the two errors it documents (both exit 3). */
class ManifestFuzzTest {
    static final Fuzz FUZZ = new Fuzz("manifest", JsonException.class, IllegalArgumentException.class);

    static Stream<byte[]> seeds() { return Stream.of(Fuzz.utf8(CoreSeeds.manifest())); }

    @MethodSource("seeds")
    @DictionaryFile(resourcePath = "json.dict")
    @FuzzTest
    void theManifestReaderReturnsOrThrowsATypedInputError(byte[] input) {
        FUZZ.check(input, b -> Manifest.fromJson(CoreSeeds.string(b)));
    }

    @AfterAll
    static void report() throws IOException { FUZZ.report(); }
}
