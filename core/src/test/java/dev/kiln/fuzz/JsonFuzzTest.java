package dev.kiln.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kiln.json.Json;
import dev.kiln.json.JsonException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Fuzz target {@code json}: {@link Json} returns or throws a {@link JsonException}, and what it reads it writes back. */
class JsonFuzzTest {
    static final Fuzz FUZZ = new Fuzz("json", JsonException.class);

    static Stream<byte[]> seeds() {
        return Stream.of(CoreSeeds.manifest(), CoreSeeds.vocabulary(), "{\"a\":[1,-2.5e3,\"x\\n\\u00e9\",true,false,null,{}]}", "[]")
                .map(Fuzz::utf8);
    }

    @MethodSource("seeds")
    @DictionaryFile(resourcePath = "json.dict")
    @FuzzTest
    void theJsonReaderReturnsOrThrowsAJsonException(byte[] input) {
        FUZZ.check(input, b -> {
            Object v = Json.parse(CoreSeeds.string(b));
            if (v instanceof Map || v instanceof List) Json.parse(Json.write(v)); // what it reads it can write back
        });
    }

    @AfterAll
    static void report() throws IOException { FUZZ.report(); }
}
