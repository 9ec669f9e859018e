package dev.kiln.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.kiln.server.Fixture.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code GET /api/models} over the synthetic model (dim 16, 2 layers, 4 heads, 2 KV heads of 4, ffn 32, vocab 8, context 64). */
class ModelsApiTest {

    @TempDir
    static Path tmp;
    static Fixture f;
    static final JsonMapper JSON = JsonMapper.builder().build();

    @BeforeAll
    static void start() throws Exception {
        f = Fixture.start(tmp, c -> c.withModels(List.of(tmp.resolve("tiny"), tmp.resolve("tiny")), List.of()));
    }

    @AfterAll
    static void stop() { f.close(); }

    private JsonNode models() throws Exception {
        HttpResponse<byte[]> r = f.get("/api/models");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", header(r, "Content-Type"));
        return JSON.readTree(r.body());
    }

    @Test
    void listsEveryServedModelWithTheDocumentedFields() throws Exception {
        JsonNode list = models();
        assertTrue(list.isArray());
        JsonNode m = list.get(0);
        for (String field : new String[]{"id", "name", "architecture", "parameters", "quantization", "size_bytes",
                "required_features", "memory_estimate_bytes", "manifest_url"}) {
            assertTrue(m.has(field), "missing " + field + " in " + m);
        }
        assertEquals("tiny", m.get("id").asString());
        assertEquals("Tiny test model", m.get("name").asString());
        assertEquals("llama", m.get("architecture").asString());
        assertEquals(8 * 16, m.get("parameters").asLong());
        assertEquals("f32", m.get("quantization").asString());
        assertEquals(0, m.get("required_features").size());
    }

    @Test
    void sizeIsTheShardsPlusTheTokenizer() throws Exception {
        long expected = Files.size(f.model.resolve(f.manifest.shards().get(0).file()))
                + Files.size(f.model.resolve(f.manifest.tokenizer()));
        assertEquals(expected, models().get(0).get("size_bytes").asLong());
    }

    @Test
    void theMemoryEstimateIsWeightsPlusKvCachePlusScratch() throws Exception {
        long weights = 8 * 16 * 4 + 3000;                  // the one shard
        long kvF32 = 2L * 2 * 64 * (2 * 4) * 4;            // K and V · layers · context · kvDim · 4 bytes
        long scratchF32 = 4L * (2 * 16 + 2 * 16 + 2 * 8 + 4 * 64 + 2 * 32) + 4L * (8 + 64);
        JsonNode m = models().get(0);
        assertEquals(weights + kvF32 + scratchF32, m.get("memory_estimate_bytes").asLong());
        assertEquals(weights + kvF32 / 2 + (scratchF32 - 4L * (8 + 64)) / 2 + 4L * (8 + 64), m.get("memory_estimate_f16_bytes").asLong());
    }

    @Test
    void theManifestUrlServesTheManifest() throws Exception {
        String url = models().get(0).get("manifest_url").asString();
        assertEquals("/models/tiny/manifest.json", url);
        HttpResponse<byte[]> r = f.get(url);
        assertEquals(200, r.statusCode());
        assertEquals(Files.readString(f.model.resolve("manifest.json")), new String(r.body()));
    }

    @Test
    void twoInputsWithTheSameNameGetDistinctIds() throws Exception {
        JsonNode list = models();
        assertEquals(2, list.size());
        assertEquals("tiny-2", list.get(1).get("id").asString());
        assertEquals(200, f.get(list.get(1).get("manifest_url").asString()).statusCode());
    }

    @Test
    void anUnknownApiPathIsAJson404() throws Exception {
        HttpResponse<byte[]> r = f.get("/api/nothing");
        assertEquals(404, r.statusCode());
        assertTrue(JSON.readTree(r.body()).get("error").asString().contains("/api/models"));
    }

    @Test
    void withoutModelsTheListIsEmpty(@TempDir Path other) throws Exception {
        try (Fixture empty = Fixture.start(other, c -> c.withModels(List.of(), List.of()))) {
            assertEquals("[]", new String(empty.get("/api/models").body()));
        }
    }
}
