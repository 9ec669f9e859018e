package dev.kiln.webclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.kiln.generate.GenerationRequest;
import dev.kiln.model.Manifest;
import dev.kiln.packager.PackOptions;
import dev.kiln.packager.Packager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine refuses a shard whose bytes differ from the manifest's SHA-256, naming the file. */
class ShardIntegrityTest {

    @Test
    void oneAlteredShardByteMakesLoadingFailWithAnErrorNamingTheShard(@TempDir Path dir) throws Exception {
        Path gguf = NodeRunner.shared().resolve("models/stories260K/stories260K.gguf");
        NodeRunner.require(Files.exists(gguf), "the shared model is missing (" + gguf + ")");
        NodeRunner.requireNode();
        Packager.pack(gguf, dir, PackOptions.defaults());
        Manifest m = Manifest.fromJson(Files.readString(dir.resolve("manifest.json")));
        String shard = m.shards().get(0).file();
        byte[] bytes = Files.readAllBytes(dir.resolve(shard));
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(dir.resolve(shard), bytes);

        try (ModelServer server = new ModelServer(dir)) {
            NodeRunner.Result r = NodeRunner.run(120, "generate.mjs", "--manifest", server.url("manifest.json"),
                    "--request", GenerationRequest.of("Once upon a time").withMaxTokens(4).toJson(), "--json");
            assertEquals(3, r.exit(), "expected exit 3 (bad input); stderr:\n" + r.stderr());
            assertTrue(r.stderr().contains("integrity") && r.stderr().contains(shard),
                    "the error must name the shard " + shard + ":\n" + r.stderr());
        }
    }
}
