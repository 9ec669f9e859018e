package dev.kiln.packager.hub;

import dev.kiln.packager.PackOptions;
import dev.kiln.packager.Packager;
import dev.kiln.packager.Shared;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Downloads from a local server that speaks the hub's layout and headers ({@link FakeHub}), serving stories260K's
 * sharded Hugging Face folder: the downloaded folder packages to the folder's own manifest; a cut connection
 * resumes with Range; a wrong SHA-256 is refused and the download removed; the cache is reused; tokens are sent.
 */
class HubTest {
    @TempDir Path tmp;
    FakeHub hub;
    Path source;
    final HubId id = HubId.parse("hf:kiln-test/stories260K@main");

    @BeforeEach
    void serve() throws IOException {
        source = Shared.stories("hf-sharded/config.json").getParent();
        hub = new FakeHub("kiln-test", "stories260K", "main");
        try (Stream<Path> s = Files.list(source)) {
            for (Path f : s.toList()) hub.files.put(f.getFileName().toString(), Files.readAllBytes(f));
        }
    }

    @AfterEach
    void stop() { hub.close(); }

    Hub client(String token) {
        return new Hub(new Hub.Options(hub.url(), token, tmp.resolve("cache")), Packager.Progress.NONE);
    }

    String manifest(Path in, String out) throws IOException {
        Packager.pack(in, tmp.resolve(out), PackOptions.defaults());
        return Files.readString(tmp.resolve(out).resolve(Packager.MANIFEST_FILE)).replaceFirst("\"name\" *: *\"[^\"]*\"", "");
    }

    @Test
    void theDownloadedFolderPackagesToTheSourceFoldersManifest() throws IOException {
        Path dir = client(null).fetch(id);
        assertEquals(tmp.resolve("cache/kiln-test/stories260K@main"), dir);
        assertEquals(manifest(source, "direct"), manifest(dir, "via-hub"));
        for (String f : hub.files.keySet()) assertArrayEquals(hub.files.get(f), Files.readAllBytes(dir.resolve(f)), f);
    }

    @Test
    void aCutConnectionResumesWithRange() throws IOException {
        String shard = "model-00002-of-00002.safetensors";
        hub.cutOnce.put(shard, 100_000L);
        Path dir = client(null).fetch(id);
        assertArrayEquals(hub.files.get(shard), Files.readAllBytes(dir.resolve(shard)));
        assertTrue(hub.requests.stream().anyMatch(r -> r.method().equals("GET") && "bytes=100000-".equals(r.range())),
                "a GET resumed at byte 100000: " + hub.requests);
        assertFalse(Files.exists(dir.resolve(shard + ".part")));
    }

    @Test
    void aWrongSha256IsRefusedAndTheDownloadRemoved() throws IOException {
        String shard = "model-00001-of-00002.safetensors";
        hub.wrongSha.put(shard, "0".repeat(64));
        HubException e = assertThrows(HubException.class, () -> client(null).fetch(id));
        assertTrue(e.getMessage().contains(shard) && e.getMessage().contains("SHA-256") && e.getMessage().contains("removed"), e.getMessage());
        Path dir = tmp.resolve("cache/kiln-test/stories260K@main");
        assertFalse(Files.exists(dir.resolve(shard)));
        assertFalse(Files.exists(dir.resolve(shard + ".part")));
    }

    @Test
    void cachedFilesAreNotDownloadedTwice() throws IOException {
        client(null).fetch(id);
        long gets = hub.requests.stream().filter(r -> r.method().equals("GET")).count();
        client(null).fetch(id);
        assertEquals(gets, hub.requests.stream().filter(r -> r.method().equals("GET")).count(), "no GET the second time");
    }

    @Test
    void aCachedModelIsFetchedOfflineAndAnUncachedOneSaysSo() throws IOException {
        Path dir = client(null).fetch(id);
        Hub offline = client(null);
        hub.close();
        assertEquals(dir, offline.fetch(id));
        IOException e = assertThrows(IOException.class, () -> offline.fetch(HubId.parse("hf:kiln-test/other")));
        assertTrue(e.getMessage().contains("cannot reach the hub") && e.getMessage().contains("not in the cache"), e.getMessage());
    }

    @Test
    void theTokenIsSentAsBearerAndAMissingOneIsExplained() throws IOException {
        hub.requiredToken = "hf_secret";
        HubException e = assertThrows(HubException.class, () -> client(null).fetch(id));
        assertTrue(e.getMessage().contains("HF_TOKEN"), e.getMessage());
        client("hf_secret").fetch(id);
        assertTrue(hub.requests.stream().filter(r -> r.path().contains("/resolve/")).anyMatch(r -> "Bearer hf_secret".equals(r.auth())));
    }

    @Test
    void anUnknownModelSaysWhatIsMissing() {
        HubException e = assertThrows(HubException.class, () -> client(null).fetch(HubId.parse("hf:kiln-test/nothing")));
        assertTrue(e.getMessage().contains("has no config.json"), e.getMessage());
    }

    @Test
    void downloadsReportProgressPerFileUpToTheTotal() throws IOException {
        List<String> labels = new ArrayList<>();
        long[] last = new long[2];
        new Hub(new Hub.Options(hub.url(), null, tmp.resolve("cache")), (done, total, label) -> {
            labels.add(label);
            last[0] = done;
            last[1] = total;
        }).fetch(id);
        assertTrue(labels.stream().anyMatch(l -> l != null && l.contains("model-00001-of-00002.safetensors")), labels.toString());
        assertTrue(last[1] > 0 && last[0] == last[1], "the last update reaches the total: " + last[0] + "/" + last[1]);
    }

    @Test
    void hubIdsParseWithAndWithoutRevision() {
        assertEquals(new HubId("HuggingFaceTB", "SmolLM2-135M", "main"), HubId.parse("hf:HuggingFaceTB/SmolLM2-135M"));
        assertEquals(new HubId("a", "b.c", "v1.0"), HubId.parse("hf:a/b.c@v1.0"));
        assertThrows(IllegalArgumentException.class, () -> HubId.parse("hf:nope"));
        assertThrows(IllegalArgumentException.class, () -> HubId.parse("hf:a/../b"));
    }
}
