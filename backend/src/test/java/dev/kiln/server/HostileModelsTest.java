package dev.kiln.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A hostile package in --models-dir is reported by name and the other models are served. */
class HostileModelsTest {

    @TempDir Path tmp;

    @Test
    void aDeeplyNestedManifestIsReportedAndTheOtherModelsAreServed() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("models"));
        Fixture.writeTinyModel(dir.resolve("good"));
        Path bad = dir.resolve("deep");
        Fixture.writeTinyModel(bad);
        Files.writeString(bad.resolve("manifest.json"), "[".repeat(200_000) + "]".repeat(200_000));
        ServerConfig config = ServerConfig.defaults().withPort(0).withSiteDir(tmp.resolve("no-site"))
                .withModelInputs(List.of(), List.of(dir)).withCacheDir(tmp.resolve("cache"));
        ModelCatalog catalog = ModelCatalog.prepare(config);
        assertEquals(List.of("good"), catalog.models().stream().map(ServedModel::id).toList());
        List<ModelCatalog.Report> failed = catalog.failures();
        assertEquals(1, failed.size(), catalog.reports().toString());
        assertTrue(failed.get(0).input().endsWith("deep"), failed.get(0).toString());
        assertTrue(failed.get(0).message().contains("deeper than"), failed.get(0).message());
    }

    @Test
    void aManifestLargerThanTheLimitIsRefusedWithoutReadingIt() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("models"));
        Path big = dir.resolve("big");
        Fixture.writeTinyModel(big);
        try (var ch = java.nio.channels.FileChannel.open(big.resolve("manifest.json"), java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {' '}), ServedModel.MAX_MANIFEST_BYTES); // sparse: no disk used
        }
        ServerConfig config = ServerConfig.defaults().withPort(0).withSiteDir(tmp.resolve("no-site"))
                .withModelInputs(List.of(), List.of(dir)).withCacheDir(tmp.resolve("cache"));
        ModelCatalog catalog = ModelCatalog.prepare(config);
        assertEquals(List.of(), catalog.models());
        String message = catalog.failures().get(0).message();
        assertTrue(message.contains("manifest.json") && message.contains(String.valueOf(ServedModel.MAX_MANIFEST_BYTES)), message);
    }

    @Test
    void aFifoGivenAsAModelIsReportedInsteadOfBlockingTheStart() throws Exception {
        Path fifo = tmp.resolve("model.gguf");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(p.waitFor() == 0, "mkfifo is not available here");
        ServerConfig config = ServerConfig.defaults().withPort(0).withSiteDir(tmp.resolve("no-site"))
                .withModels(List.of(fifo), List.of()).withCacheDir(tmp.resolve("cache"));
        ModelCatalog catalog = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20),
                () -> ModelCatalog.prepare(config));
        String message = catalog.failures().get(0).message();
        assertTrue(message.contains("not a regular file"), message);
    }
}
