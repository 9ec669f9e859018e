package dev.kiln.webclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.kiln.generate.GenerationRequest;
import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import dev.kiln.packager.PackOptions;
import dev.kiln.packager.Packager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sampling through the GPU's TOP_K candidates and the Java sampler: the same seed gives the same tokens. */
class SamplingTest {

    @Test
    void theSameSeedGivesTheSameTokensAndAnotherSeedOthers(@TempDir Path dir) throws Exception {
        Path gguf = NodeRunner.shared().resolve("models/stories260K/stories260K.gguf");
        NodeRunner.require(Files.exists(gguf), "the shared model is missing (" + gguf + ")");
        NodeRunner.requireNode();
        Packager.pack(gguf, dir, PackOptions.defaults());
        try (ModelServer server = new ModelServer(dir)) {
            List<Object> a = sample(server, "7"), b = sample(server, "7"), c = sample(server, "8");
            assertEquals(32, a.size());
            assertEquals(a, b, "same seed, same tokens");
            assertNotEquals(a, c, "seeds 7 and 8 gave the same 32 tokens at temperature 1");
        }
    }

    private static List<Object> sample(ModelServer server, String seed) throws Exception {
        NodeRunner.Result r = NodeRunner.run(120, "generate.mjs", "--manifest", server.url("manifest.json"),
                "--request", GenerationRequest.of("Once upon a time").withMaxTokens(32).withTemperature(1).withTopK(40)
                        .withTopP(0.95f).withSeed(Long.parseLong(seed)).withIgnoreEos(true).toJson(), "--json");
        assertEquals(0, r.exit(), "generate.mjs failed:\n" + r.stderr());
        return JsonObject.of(Json.parse(r.lastLine()), "result").array("ids");
    }
}
