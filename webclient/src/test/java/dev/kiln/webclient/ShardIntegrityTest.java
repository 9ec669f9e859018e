package dev.kiln.webclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.kiln.generate.GenerationRequest;
import dev.kiln.model.Manifest;
import dev.kiln.packager.PackOptions;
import dev.kiln.packager.Packager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine refuses a shard whose bytes differ from the manifest's SHA-256: it fetches it once more bypassing the
 * HTTP cache (a bad cached copy heals), and a second failure names the file and what to do.
 */
class ShardIntegrityTest {

    static String packaged(Path dir) throws Exception {
        Path gguf = NodeRunner.shared().resolve("models/stories260K/stories260K.gguf");
        NodeRunner.require(Files.exists(gguf), "the shared model is missing (" + gguf + ")");
        NodeRunner.requireNode();
        Packager.pack(gguf, dir, PackOptions.defaults());
        return Manifest.fromJson(Files.readString(dir.resolve("manifest.json"))).shards().get(0).file();
    }

    static NodeRunner.Result generate(ModelServer server) throws Exception {
        return NodeRunner.run(120, "generate.mjs", "--manifest", server.url("manifest.json"),
                "--request", GenerationRequest.of("Once upon a time").withMaxTokens(4).toJson(), "--json");
    }

    @Test
    void oneAlteredShardByteOnTheServerFailsTwiceWithAnErrorNamingTheShardAndWhatToDo(@TempDir Path dir) throws Exception {
        String shard = packaged(dir);
        byte[] bytes = Files.readAllBytes(dir.resolve(shard));
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(dir.resolve(shard), bytes);

        try (ModelServer server = new ModelServer(dir)) {
            NodeRunner.Result r = generate(server);
            assertEquals(3, r.exit(), "expected exit 3 (bad input); stderr:\n" + r.stderr());
            assertTrue(r.stderr().contains("integrity") && r.stderr().contains(shard) && r.stderr().contains("twice")
                    && r.stderr().contains("re-package"), "the error must name the shard " + shard + " and what to do:\n" + r.stderr());
            assertEquals(List.of(shard + " null", shard + " no-cache"), shardRequests(server, shard),
                    "one normal fetch, then one bypassing the HTTP cache");
        }
    }

    @Test
    void aShardThatWasBadOnceIsFetchedAgainBypassingTheCacheAndLoads(@TempDir Path dir) throws Exception {
        String shard = packaged(dir);
        byte[] bad = Files.readAllBytes(dir.resolve(shard));
        bad[bad.length / 2] ^= 0x01;
        try (ModelServer server = new ModelServer(dir)) {
            server.firstAnswer.put(shard, bad); // as a stale or damaged copy in the HTTP cache would answer
            NodeRunner.Result r = generate(server);
            assertEquals(0, r.exit(), "the second, cache-bypassing fetch gets the right bytes; stderr:\n" + r.stderr());
            assertEquals(List.of(shard + " null", shard + " no-cache"), shardRequests(server, shard));
        }
    }

    static List<String> shardRequests(ModelServer server, String shard) {
        return server.requests.stream().filter(q -> q.startsWith(shard + " ")).toList();
    }
}
