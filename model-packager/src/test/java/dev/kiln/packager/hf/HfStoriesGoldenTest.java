package dev.kiln.packager.hf;

import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import dev.kiln.model.RopeStyle;
import dev.kiln.model.TensorInfo;
import dev.kiln.model.TensorNames;
import dev.kiln.packager.Shared;
import dev.kiln.reference.CpuModel;
import dev.kiln.tokenizer.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * stories260K in Hugging Face layout ({@code hf/}: one safetensors file, {@code hf-sharded/}: two files and an index)
 * packaged by our packager gives the same tensor bytes as the GGUF file and, through the CPU reference and the
 * tokenizer read back from the package, exactly llama.cpp's golden ids. Provenance: ../shared/models/stories260K/
 * stories260K.golden.json (llama.cpp CPU, F32, confirmed by NumPy); the Hugging Face files hold the same weights with
 * q/k rows in Hugging Face's half-split order and a tokenizer.json (../shared/models/SOURCES.md).
 */
class HfStoriesGoldenTest {
    @TempDir static Path tmp;
    static PackagedModel gguf, hf, sharded;

    @BeforeAll
    static void pack() throws IOException {
        gguf = PackagedModel.pack(Shared.stories("stories260K.gguf"), tmp.resolve("gguf"));
        hf = PackagedModel.pack(Shared.stories("hf/config.json").getParent(), tmp.resolve("hf"));
        sharded = PackagedModel.pack(Shared.stories("hf-sharded/config.json").getParent(), tmp.resolve("sharded"));
    }

    record Case(String prompt, int[] promptIds, int[] genIds) {}

    static List<Case> golden() throws IOException {
        JsonObject root = JsonObject.of(Json.parse(Files.readString(Shared.stories("stories260K.golden.json"))), "golden");
        List<Case> out = new ArrayList<>();
        for (Object o : root.array("cases")) {
            JsonObject c = JsonObject.of(o, "case");
            out.add(new Case(c.string("prompt"), ints(c.array("prompt_ids")), ints(c.array("gen_ids"))));
        }
        return out;
    }

    private static int[] ints(List<Object> a) {
        return a.stream().mapToInt(v -> ((Double) v).intValue()).toArray();
    }

    @Test
    void everyHuggingFaceTensorEqualsTheGgufTensorBitForBit() throws IOException {
        for (PackagedModel p : List.of(hf, sharded)) {
            for (TensorInfo t : p.manifest().tensors()) {
                TensorInfo g = gguf.manifest().tensor(t.name());
                assertArrayEquals(g.shape(), t.shape(), t.name());
                assertEquals(g.dtype(), t.dtype(), t.name());
                assertArrayEquals(gguf.bytes(t.name()), p.bytes(t.name()), t.name() + " bytes differ from the GGUF package's");
            }
            assertEquals(gguf.manifest().tensors().size() - 1, p.manifest().tensors().size(), "all but the GGUF's explicit output");
        }
    }

    @Test
    void tiedEmbeddingsMeanTheGgufOutputEqualsTheEmbedding() throws IOException {
        assertTrue(hf.manifest().config().tiedEmbeddings());
        assertFalse(hf.manifest().hasTensor(TensorNames.OUTPUT));
        assertArrayEquals(gguf.bytes(TensorNames.OUTPUT), hf.bytes(TensorNames.TOKEN_EMBD));
    }

    @Test
    void qAndKRowsArePermutedToTheInterleavedRopeOfGguf() {
        assertEquals(RopeStyle.INTERLEAVED, hf.manifest().config().ropeStyle());
    }

    @Test
    void singleFileAndShardedCheckpointsGiveTheSameTensorsAndShards() {
        assertEquals(hf.jsonWithoutName(), sharded.jsonWithoutName());
    }

    @ParameterizedTest
    @ValueSource(strings = {"hf", "sharded"})
    void everyPromptTokenizesToTheGoldenIds(String which) throws IOException {
        Tokenizer t = (which.equals("hf") ? hf : sharded).tokenizer();
        for (Case c : golden()) assertArrayEquals(c.promptIds(), t.encode(c.prompt()), "prompt '" + c.prompt() + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"hf", "sharded"})
    void greedyDecodingGivesAllGoldenIds(String which) throws IOException {
        CpuModel model = (which.equals("hf") ? hf : sharded).cpu();
        for (Case c : golden()) {
            int[] ids = PackagedModel.greedy(model, c.promptIds(), c.genIds().length);
            assertArrayEquals(c.genIds(), ids, "prompt '" + c.prompt() + "': got " + Arrays.toString(ids));
        }
    }

    @Test
    void theTokenizerMatchesTheGgufTokenizerOnEveryToken() {
        assertEquals(gguf.vocab().tokens(), hf.vocab().tokens());
        assertArrayEquals(gguf.vocab().types(), hf.vocab().types());
        assertEquals(gguf.vocab().bos(), hf.vocab().bos());
        assertEquals(gguf.vocab().eos(), hf.vocab().eos());
        assertEquals(gguf.vocab().unk(), hf.vocab().unk());
    }
}
