package dev.kiln.packager;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kiln.fuzz.Fuzz;
import dev.kiln.packager.hf.MemFiles;
import dev.kiln.packager.hf.Safetensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Fuzz target {@code safetensors-header}: {@link Safetensors#header} returns or throws a {@link ModelFormatException}. */
class SafetensorsHeaderFuzzTest {
    static final Fuzz FUZZ = new Fuzz("safetensors-header", ModelFormatException.class);

    static List<byte[]> seeds() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(FuzzInputs.safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},\"__metadata__\":{\"a\":\"b\"}}", 16));
        seeds.add(FuzzInputs.safetensors("{\"a\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,6]},\"b\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[6,8]}}", 8));
        FuzzInputs.addShared(seeds, "stories260K/hf/model.safetensors");
        return seeds;
    }

    @MethodSource("seeds")
    @DictionaryFile(resourcePath = "hf-json.dict")
    @FuzzTest
    void theSafetensorsHeaderReaderReturnsOrThrowsAModelFormatException(byte[] input) {
        FUZZ.check(input, b -> Safetensors.header(new MemFiles(Map.of("model.safetensors", b)), "model.safetensors"));
    }

    @AfterAll
    static void report() throws IOException { FUZZ.report(); }
}
