package dev.kiln.webclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kiln.engine.Schedule;
import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import dev.kiln.model.Manifest;
import dev.kiln.packager.PackOptions;
import dev.kiln.packager.Packager;
import dev.kiln.shaders.Kernel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's GPU time profile by kernel role (node/generate.mjs --profile, what {@code kiln bench} reports), on
 * stories260K in Node with Dawn: after a greedy generate it names every kernel role of one decode token, in the order
 * the token first uses them, with the dispatch count the schedule gives it and a time that is not negative, measured
 * at the position after the cached ones. Timing values themselves are not checked.
 */
class ProfileTest {

    @Test
    void profileNamesEveryRoleOfADecodeTokenWithItsDispatchCount(@TempDir Path tmp) throws Exception {
        Path gguf = NodeRunner.shared().resolve("models/stories260K/stories260K.gguf");
        NodeRunner.require(Files.exists(gguf), "the shared model is missing (" + gguf + ")");
        NodeRunner.requireNode();
        Path dir = tmp.resolve("stories");
        Packager.pack(gguf, dir, PackOptions.defaults());
        Manifest m = Manifest.fromJson(Files.readString(dir.resolve("manifest.json"), StandardCharsets.UTF_8));
        Map<String, Integer> expected = new LinkedHashMap<>();
        Schedule s = Schedule.of(m);
        for (List<Schedule.Launch> part : List.of(s.body(), s.head())) {
            for (Schedule.Launch l : part) expected.merge(l.params().kernel().name(), 1, Integer::sum);
        }
        expected.merge(Kernel.ARGMAX.name(), 1, Integer::sum);

        NodeRunner.Result r;
        try (ModelServer server = new ModelServer(tmp)) {
            r = NodeRunner.run(180, "generate.mjs", "--manifest", server.url("stories/manifest.json"),
                    "--request", "{\"prompt_ids\": [1, 403, 407], \"max_tokens\": 4, \"ignore_eos\": true}",
                    "--json", "--profile", "2");
        }
        assertEquals(0, r.exit(), "generate.mjs failed:\n" + r.stderr());
        JsonObject profile = JsonObject.of(Json.parse(r.lastLine()), "result").object("profile");
        assertEquals(2, profile.integer("repeats"));
        assertEquals(3 + 4 - 1, profile.integer("position"), "the position after the prompt and the decoded tokens but the last");
        assertTrue(profile.string("method").startsWith("wall clock per role"), r.lastLine());
        Map<String, Integer> got = new LinkedHashMap<>();
        for (Object o : profile.array("roles")) {
            JsonObject role = JsonObject.of(o, "role");
            got.put(role.string("role"), role.integer("dispatches"));
            assertTrue(role.number("ms_per_token") >= 0, r.lastLine());
        }
        assertEquals(List.copyOf(expected.entrySet()), List.copyOf(got.entrySet()), "roles in first-use order with their dispatches");
    }
}
