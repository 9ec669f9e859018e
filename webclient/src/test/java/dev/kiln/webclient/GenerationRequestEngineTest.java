package dev.kiln.webclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/**
 * The engine takes one generation request as JSON (core's GenerationRequest) through node/generate.mjs: prompt ids
 * stand in for the text they encode, and a bad request is an input error (exit 3) naming the field.
 */
class GenerationRequestEngineTest {

    @Test
    void promptIdsGiveTheSameTokensAsTheTextTheyEncodeAndBadFieldsAreNamed(@TempDir Path dir) throws Exception {
        Path gguf = NodeRunner.shared().resolve("models/stories260K/stories260K.gguf");
        NodeRunner.require(Files.exists(gguf), "the shared model is missing (" + gguf + ")");
        NodeRunner.requireNode();
        Packager.pack(gguf, dir, PackOptions.defaults());
        try (ModelServer server = new ModelServer(dir)) {
            JsonObject text = generate(server, GenerationRequest.of("Once upon a time").withMaxTokens(8).toJson());
            List<Object> ids = text.array("prompt_ids");
            int[] promptIds = new int[ids.size()];
            for (int i = 0; i < promptIds.length; i++) promptIds[i] = ((Double) ids.get(i)).intValue();
            JsonObject fromIds = generate(server, GenerationRequest.ofIds(promptIds).withMaxTokens(8).toJson());
            assertEquals(text.array("prompt_ids"), fromIds.array("prompt_ids"));
            assertEquals(text.array("ids"), fromIds.array("ids"));

            NodeRunner.Result bad = NodeRunner.run(120, "generate.mjs", "--manifest", server.url("manifest.json"),
                    "--request", "{\"prompt\": \"x\", \"top_p\": 2}", "--json");
            assertEquals(3, bad.exit(), bad.stderr());
            assertTrue(bad.stderr().contains("generate failed (input): top_p must be in (0, 1]"), bad.stderr());
        }
    }

    private static JsonObject generate(ModelServer server, String request) throws Exception {
        NodeRunner.Result r = NodeRunner.run(120, "generate.mjs", "--manifest", server.url("manifest.json"),
                "--request", request, "--json");
        assertEquals(0, r.exit(), "generate.mjs failed:\n" + r.stderr());
        return JsonObject.of(Json.parse(r.lastLine()), "result");
    }
}
