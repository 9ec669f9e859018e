package dev.kiln.packager.hf;

import dev.kiln.packager.ModelFormatException;
import dev.kiln.packager.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every eos_token_id of config.json and generation_config.json is recorded, so generation stops at any of them. */
class EosIdsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;

    private static JsonNode json(String s) { return JSON.readTree(s); }

    @Test
    void aPackagedCheckpointRecordsEveryEosIdOfGenerationConfig() throws IOException {
        // stories260K: eos 2 in config.json; generation_config.json adds 0 as a second end-of-generation id
        HfWriter w = HfWriter.stories(Shared.stories("hf/config.json").getParent());
        w.extraFiles.put("generation_config.json", "{\"eos_token_id\": [2, 0]}".getBytes(StandardCharsets.UTF_8));
        PackagedModel p = PackagedModel.pack(w.write(tmp.resolve("in"), 1), tmp.resolve("pkg"));
        assertArrayEquals(new int[] {2, 0}, p.vocab().endOfGeneration());
    }

    @Test
    void aSingleEosAddsNothingToTheTokenizerFile() throws IOException {
        HfWriter w = HfWriter.stories(Shared.stories("hf/config.json").getParent());
        PackagedModel p = PackagedModel.pack(w.write(tmp.resolve("in"), 1), tmp.resolve("pkg"));
        assertArrayEquals(new int[0], p.vocab().eog());
        assertArrayEquals(new int[] {2}, p.vocab().endOfGeneration());
    }

    @Test
    void llama31ListsThreeEosIdsInGenerationConfig() {
        // meta-llama/Llama-3.1-8B-Instruct: config.json names <|end_of_text|> ... generation_config.json all three
        int[] ids = HfConfig.eosIds("test", json("{\"eos_token_id\": [128001, 128008, 128009]}"),
                json("{\"eos_token_id\": [128001, 128008, 128009]}"), 128256);
        assertArrayEquals(new int[] {128001, 128008, 128009}, ids);
    }

    @Test
    void qwenAddsGenerationConfigIdsAfterConfigsOwn() {
        // Qwen2.5-Instruct: config.json <|im_end|> (151645), generation_config.json [151645, 151643]
        int[] ids = HfConfig.eosIds("test", json("{\"eos_token_id\": 151645}"), json("{\"eos_token_id\": [151645, 151643]}"), 152064);
        assertArrayEquals(new int[] {151645, 151643}, ids);
    }

    @Test
    void noEosAnywhereIsAnEmptyList() {
        assertArrayEquals(new int[0], HfConfig.eosIds("test", json("{\"eos_token_id\": null}"), MissingNode.getInstance(), 10));
    }

    @Test
    void anIdOutsideTheVocabularyIsRefusedWithTheValue() {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> HfConfig.eosIds("test", json("{\"eos_token_id\": [1, 99]}"), MissingNode.getInstance(), 10));
        assertTrue(e.getMessage().contains("99"), e.getMessage());
    }
}
