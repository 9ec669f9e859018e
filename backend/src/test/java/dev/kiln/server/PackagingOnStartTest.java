package dev.kiln.server;

import io.javalin.Javalin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Model files given to the server are packaged on start, cached by content and packager version, or reported. */
class PackagingOnStartTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private static ServerConfig config(Path tmp, List<Path> models, List<Path> dirs) {
        return ServerConfig.defaults().withPort(0).withSiteDir(tmp.resolve("no-site"))
                .withModels(models, dirs).withCacheDir(tmp.resolve("cache"));
    }

    /** Starts, lists /api/models, fetches every manifest and shard and checks each shard's SHA-256; returns the ids. */
    static List<String> serveAndVerify(ServerConfig config, ModelCatalog catalog) throws Exception {
        Javalin app = Server.start(Server.create(config, catalog), config);
        try {
            return verifyServed("http://127.0.0.1:" + app.port());
        } finally {
            app.stop();
        }
    }

    /** Lists /api/models of a running server, fetches every manifest and shard and checks each shard's SHA-256. */
    static List<String> verifyServed(String base) throws Exception {
        JsonNode list = JSON.readTree(get(base + "/api/models").body());
        List<String> ids = new java.util.ArrayList<>();
        for (JsonNode m : list) {
            ids.add(m.get("id").asString());
            JsonNode manifest = JSON.readTree(get(base + m.get("manifest_url").asString()).body());
            for (JsonNode s : manifest.get("shards")) {
                HttpResponse<byte[]> shard = get(base + "/models/" + m.get("id").asString() + "/" + s.get("file").asString());
                assertEquals(200, shard.statusCode());
                assertEquals(s.get("sha256").asString(), Fixture.sha256(shard.body()));
            }
        }
        return ids;
    }

    static HttpResponse<byte[]> get(String url) throws Exception {
        return Fixture.CLIENT.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static Map<String, FileTime> snapshot(Path dir) throws Exception {
        Map<String, FileTime> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) m.put(dir.relativize(p).toString(), Files.getLastModifiedTime(p));
        }
        return m;
    }

    @Test
    void aGgufIsPackagedOnStartAndItsShardsAreServedIntact(@TempDir Path tmp) throws Exception {
        Path gguf = SharedModels.stories260K();
        ServerConfig config = config(tmp, List.of(gguf), List.of());
        ModelCatalog catalog = ModelCatalog.prepare(config);
        assertEquals(ModelCatalog.Outcome.PACKAGED, catalog.reports().get(0).outcome(), catalog.reports().toString());
        assertEquals(List.of("stories260k"), serveAndVerify(config, catalog));
    }

    @Test
    void aSecondStartReusesThePackageWithoutRewritingIt(@TempDir Path tmp) throws Exception {
        Path gguf = SharedModels.stories260K();
        ServerConfig config = config(tmp, List.of(gguf), List.of());
        ModelCatalog first = ModelCatalog.prepare(config);
        assertEquals(ModelCatalog.Outcome.PACKAGED, first.reports().get(0).outcome());
        Map<String, FileTime> before = snapshot(config.cacheDir());

        ModelCatalog second = ModelCatalog.prepare(config);
        assertEquals(ModelCatalog.Outcome.REUSED_PACKAGE, second.reports().get(0).outcome());
        assertEquals(first.models().get(0).dir(), second.models().get(0).dir());
        assertEquals(before, snapshot(config.cacheDir()), "nothing in the cache was written again");
        assertEquals(List.of("stories260k"), serveAndVerify(config, second));
    }

    @Test
    void aTouchedButUnchangedInputStillReusesItsPackage(@TempDir Path tmp) throws Exception {
        Path gguf = Files.copy(SharedModels.stories260K(), tmp.resolve("story.gguf"));
        ServerConfig config = config(tmp, List.of(gguf), List.of());
        Path dir = ModelCatalog.prepare(config).models().get(0).dir();
        Files.setLastModifiedTime(gguf, FileTime.fromMillis(Files.getLastModifiedTime(gguf).toMillis() + 60_000));
        ModelCatalog again = ModelCatalog.prepare(config);
        assertEquals(ModelCatalog.Outcome.REUSED_PACKAGE, again.reports().get(0).outcome());
        assertEquals(dir, again.models().get(0).dir());
        assertTrue(Files.readString(config.cacheDir().resolve("input-hashes.tsv")).contains(gguf.toRealPath().toString()));
    }

    @Test
    void aChangedInputIsPackagedAgain(@TempDir Path tmp) throws Exception {
        Path gguf = Files.copy(SharedModels.stories260K(), tmp.resolve("story.gguf"));
        ServerConfig config = config(tmp, List.of(gguf), List.of());
        Path dir = ModelCatalog.prepare(config).models().get(0).dir();
        Files.write(gguf, new byte[]{0}, java.nio.file.StandardOpenOption.APPEND); // trailing byte: still a valid GGUF
        ModelCatalog again = ModelCatalog.prepare(config);
        assertEquals(1, again.models().size(), again.reports().toString());
        assertEquals(ModelCatalog.Outcome.PACKAGED, again.reports().get(0).outcome());
        assertTrue(!dir.equals(again.models().get(0).dir()), "a new key for new bytes");
    }

    @Test
    void aCorruptModelNextToAGoodOneIsReportedAndTheGoodOneIsServed(@TempDir Path tmp) throws Exception {
        Path gguf = SharedModels.stories260K();
        Path dir = Files.createDirectories(tmp.resolve("models"));
        Files.copy(gguf, dir.resolve("good.gguf"));
        byte[] bytes = Files.readAllBytes(gguf);
        Files.write(dir.resolve("truncated.gguf"), java.util.Arrays.copyOf(bytes, bytes.length / 3));
        Files.writeString(dir.resolve("garbage.gguf"), "this is not a GGUF file at all");
        Files.writeString(dir.resolve("readme.txt"), "ignored: not a model");
        ServerConfig config = config(tmp, List.of(tmp.resolve("missing.gguf")), List.of(dir));
        ModelCatalog catalog = ModelCatalog.prepare(config);

        assertEquals(List.of("good"), serveAndVerify(config, catalog));
        List<ModelCatalog.Report> failed = catalog.failures();
        assertEquals(3, failed.size(), catalog.reports().toString());
        for (ModelCatalog.Report r : failed) {
            assertTrue(r.message() != null && !r.message().isBlank(), r.toString());
        }
        assertTrue(failed.stream().anyMatch(r -> r.input().endsWith("garbage.gguf")));
        assertTrue(failed.stream().anyMatch(r -> r.input().endsWith("truncated.gguf")));
        assertTrue(failed.stream().anyMatch(r -> r.message().contains("does not exist")));
        try (Stream<Path> s = Files.list(config.cacheDir())) {
            assertEquals(0, s.filter(p -> p.getFileName().toString().startsWith(".")).count(), "no partial package left behind");
        }
    }

    @Test
    void aPackagedFolderIsServedAsIs(@TempDir Path tmp) throws Exception {
        Fixture.writeTinyModel(tmp.resolve("tiny"));
        ModelCatalog catalog = ModelCatalog.prepare(config(tmp, List.of(tmp.resolve("tiny")), List.of()));
        assertEquals(ModelCatalog.Outcome.SERVED_AS_IS, catalog.reports().get(0).outcome());
        assertTrue(Files.notExists(tmp.resolve("cache")), "no packaging, so no cache folder");
    }
}
