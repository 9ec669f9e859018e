package dev.kiln.webclient;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.kiln.packager.PackOptions;
import dev.kiln.packager.Packager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAI-shaped JavaScript API (target/webclient/kiln.mjs) over the real compiled engine, in Node with Dawn on
 * stories260K: ../node/api-check.mjs asserts shapes, streaming, abort, input errors, seeds, queueing and profile.
 */
class KilnApiTest {

    @Test
    void completionsCreateBehavesLikeOpenAisApiOnTheRealEngine(@TempDir Path dir) throws Exception {
        Path gguf = NodeRunner.shared().resolve("models/stories260K/stories260K.gguf");
        NodeRunner.require(Files.exists(gguf), "the shared model is missing (" + gguf + ")");
        NodeRunner.requireNode();
        Packager.pack(gguf, dir, PackOptions.defaults());
        try (ModelServer server = new ModelServer(dir)) {
            NodeRunner.Result r = NodeRunner.run(300, "api-check.mjs", server.url("manifest.json"));
            assertEquals(0, r.exit(), () -> "api-check.mjs failed:\n" + r.stdout() + r.stderr());
            assertEquals("ok", r.lastLine());
        }
    }
}
