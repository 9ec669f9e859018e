package dev.kiln.packager;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kiln.fuzz.Fuzz;
import dev.kiln.packager.gguf.GgmlType;
import dev.kiln.packager.gguf.GgufSource;
import dev.kiln.packager.gguf.GgufWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Fuzz target {@code gguf}: GGUF header, metadata, config and vocabulary return or throw a {@link ModelFormatException}. */
class GgufFuzzTest {
    static final Fuzz FUZZ = new Fuzz("gguf", ModelFormatException.class);
    @TempDir Path tmp;

    static List<byte[]> seeds() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(new GgufWriter(3).string("general.architecture", "llama").u32("llama.context_length", 8)
                .tensor("token_embd.weight", GgmlType.F32, new long[] {4, 2}, new byte[32]).toBytes());
        seeds.add(new GgufWriter(1).string("general.name", "v1").toBytes());
        FuzzInputs.addShared(seeds, "stories260K/stories260K-q4_0.gguf");
        return seeds;
    }

    @MethodSource("seeds")
    @DictionaryFile(resourcePath = "gguf.dict")
    @FuzzTest
    void theGgufReaderReturnsOrThrowsAModelFormatException(byte[] input) {
        Path file = tmp.resolve("fuzz.gguf");
        FUZZ.check(input, b -> {
            Files.write(file, b);
            try (GgufSource s = GgufSource.open(file)) {
                s.config();
                s.vocabulary();
            }
        });
    }

    @AfterAll
    static void report() throws IOException { FUZZ.report(); }
}
