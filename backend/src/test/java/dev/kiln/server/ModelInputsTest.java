package dev.kiln.server;

import dev.kiln.model.Manifest;
import dev.kiln.packager.hub.Hub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every input kind the server takes besides GGUF files — a Hugging Face folder, a .tar.gz and a .zip of one, a hub id
 * (from a local server with the hub's layout) — is packaged on start, listed in /api/models and served with intact
 * shards; a restart reuses every package; the folder's cache key follows its files' contents.
 */
class ModelInputsTest {

    @TempDir Path tmp;

    private ServerConfig config(List<String> models, List<Path> dirs, URI hub) {
        return ServerConfig.defaults().withPort(0).withSiteDir(tmp.resolve("no-site")).withModelInputs(models, dirs)
                .withCacheDir(tmp.resolve("cache"))
                .withHub(new Hub.Options(hub != null ? hub : URI.create("http://127.0.0.1:9"), null, tmp.resolve("hub")));
    }

    /** The packaged manifest of a served model, without its name (which follows the input's name). */
    private static String manifestWithoutName(ModelCatalog catalog, String id) throws Exception {
        Manifest m = Manifest.fromJson(Files.readString(catalog.model(id).dir().resolve("manifest.json"), StandardCharsets.UTF_8));
        return m.toJson().replaceFirst("\"name\" *: *\"[^\"]*\"", "");
    }

    @Test
    void aHuggingFaceFolderIsPackagedOnStartAndServed() throws Exception {
        Path hf = SharedModels.stories260KHf();
        ServerConfig config = config(List.of(hf.toString()), List.of(), null);
        ModelCatalog catalog = ModelCatalog.prepare(config);
        assertEquals(ModelCatalog.Outcome.PACKAGED, catalog.reports().get(0).outcome(), catalog.reports().toString());
        assertEquals(List.of("hf"), PackagingOnStartTest.serveAndVerify(config, catalog));
        Manifest m = catalog.model("hf").manifest();
        assertEquals(m.config().layers() * 9 + 2, m.tensors().size(), "9 tensors per layer, embedding, output norm (tied head)");
    }

    @Test
    void aTarGzAndAZipOfTheFolderPackageToTheFoldersManifest() throws Exception {
        Path hf = SharedModels.stories260KHf();
        Path tgz = Archives.tarGz(hf, "stories-hf", tmp.resolve("stories-hf.tar.gz"));
        Path zip = Archives.zip(hf, "stories-zip", tmp.resolve("stories-zip.zip"));
        ServerConfig config = config(List.of(hf.toString(), tgz.toString(), zip.toString()), List.of(), null);
        ModelCatalog catalog = ModelCatalog.prepare(config);
        assertEquals(List.of(), catalog.failures());
        assertEquals(List.of("hf", "stories-hf", "stories-zip"), PackagingOnStartTest.serveAndVerify(config, catalog));
        String folder = manifestWithoutName(catalog, "hf");
        assertEquals(folder, manifestWithoutName(catalog, "stories-hf"), "same tensors, shards and hashes from the .tar.gz");
        assertEquals(folder, manifestWithoutName(catalog, "stories-zip"), "and from the .zip");
    }

    @Test
    void aHubIdIsDownloadedPackagedAndServed() throws Exception {
        Path hf = SharedModels.stories260KHf();
        try (LocalHub hub = new LocalHub("kiln-test", "stories260K", "main", hf)) {
            ServerConfig config = config(List.of(hf.toString(), "hf:kiln-test/stories260K"), List.of(), hub.url());
            ModelCatalog catalog = ModelCatalog.prepare(config);
            assertEquals(List.of(), catalog.failures());
            assertEquals(List.of("hf", "stories260k"), PackagingOnStartTest.serveAndVerify(config, catalog));
            assertEquals(tmp.resolve("hub/kiln-test/stories260K@main").toRealPath(), catalog.model("stories260k").source().toRealPath());
            assertEquals(manifestWithoutName(catalog, "hf"), manifestWithoutName(catalog, "stories260k"));
            assertTrue(hub.gets.stream().anyMatch(p -> p.endsWith("/model.safetensors")), hub.gets.toString());
        }
    }

    @Test
    void aSecondStartReusesEveryPackageWithoutRewritingIt() throws Exception {
        Path hf = SharedModels.stories260KHf();
        Path tgz = Archives.tarGz(hf, "stories-hf", tmp.resolve("stories-hf.tar.gz"));
        try (LocalHub hub = new LocalHub("kiln-test", "stories260K", "main", hf)) {
            ServerConfig config = config(List.of(hf.toString(), tgz.toString(), "hf:kiln-test/stories260K"), List.of(), hub.url());
            ModelCatalog first = ModelCatalog.prepare(config);
            assertEquals(List.of(), first.failures());
            for (ModelCatalog.Report r : first.reports()) assertEquals(ModelCatalog.Outcome.PACKAGED, r.outcome(), r.toString());
            Map<String, FileTime> before = PackagingOnStartTest.snapshot(config.cacheDir());
            int downloads = hub.gets.size();

            ModelCatalog second = ModelCatalog.prepare(config);
            for (ModelCatalog.Report r : second.reports()) assertEquals(ModelCatalog.Outcome.REUSED_PACKAGE, r.outcome(), r.toString());
            for (ServedModel m : first.models()) assertEquals(m.dir(), second.model(m.id()).dir());
            assertEquals(before, PackagingOnStartTest.snapshot(config.cacheDir()), "nothing in the cache was written again");
            assertEquals(downloads, hub.gets.size(), "no file downloaded again");
            assertEquals(List.of("hf", "stories-hf", "stories260k"), PackagingOnStartTest.serveAndVerify(config, second));
        }
    }

    @Test
    void aModelsDirServesFoldersArchivesAndGgufFilesAndIgnoresTheRest() throws Exception {
        Path hf = SharedModels.stories260KHf();
        Path dir = Files.createDirectories(tmp.resolve("models"));
        Archives.copyFolder(hf, dir.resolve("folder-model"));
        Archives.tarGz(hf, "x", dir.resolve("archived.tgz"));
        Archives.zip(hf, "y", dir.resolve("zipped.zip"));
        Files.copy(SharedModels.stories260K(), dir.resolve("file-model.gguf"));
        Files.createDirectories(dir.resolve("not-a-model"));
        Files.writeString(dir.resolve("not-a-model/notes.json"), "{}");
        Files.writeString(dir.resolve("readme.txt"), "not a model");
        ServerConfig config = config(List.of(), List.of(dir), null);
        ModelCatalog catalog = ModelCatalog.prepare(config);
        assertEquals(List.of(), catalog.failures());
        assertEquals(List.of("archived", "file-model", "folder-model", "zipped"), PackagingOnStartTest.serveAndVerify(config, catalog));
    }

    @Test
    void aFoldersPackageFollowsItsFilesContentsNotTheirTimes() throws Exception {
        Path folder = Archives.copyFolder(SharedModels.stories260KHf(), tmp.resolve("m"));
        ServerConfig config = config(List.of(folder.toString()), List.of(), null);
        Path first = ModelCatalog.prepare(config).models().get(0).dir();

        Path tokConfig = folder.resolve("tokenizer_config.json");
        Files.setLastModifiedTime(tokConfig, FileTime.fromMillis(Files.getLastModifiedTime(tokConfig).toMillis() + 60_000));
        ModelCatalog touched = ModelCatalog.prepare(config);
        assertEquals(ModelCatalog.Outcome.REUSED_PACKAGE, touched.reports().get(0).outcome(), "a touched file has the same bytes");
        assertEquals(first, touched.models().get(0).dir());

        Files.writeString(tokConfig, "\n", StandardOpenOption.APPEND); // still valid JSON, different bytes
        ModelCatalog changed = ModelCatalog.prepare(config);
        assertEquals(ModelCatalog.Outcome.PACKAGED, changed.reports().get(0).outcome(), changed.reports().toString());
        assertNotEquals(first, changed.models().get(0).dir(), "new bytes, new key");

        Files.writeString(folder.resolve("README.md"), "# not read by the packager");
        assertEquals(ModelCatalog.Outcome.REUSED_PACKAGE, ModelCatalog.prepare(config).reports().get(0).outcome(),
                "files the packager does not read are not in the key");
    }

    @Test
    void aMissingHubModelIsReportedAndTheOthersAreServed() throws Exception {
        Path hf = SharedModels.stories260KHf();
        try (LocalHub hub = new LocalHub("kiln-test", "stories260K", "main", hf)) {
            ServerConfig config = config(List.of("hf:kiln-test/nothing-here", "hf:not a valid id", hf.toString()), List.of(), hub.url());
            ModelCatalog catalog = ModelCatalog.prepare(config);
            assertEquals(List.of("hf"), PackagingOnStartTest.serveAndVerify(config, catalog));
            List<ModelCatalog.Report> failed = catalog.failures();
            assertEquals(2, failed.size(), catalog.reports().toString());
            assertTrue(failed.get(0).message().contains("has no config.json"), failed.get(0).message());
            assertTrue(failed.get(1).message().contains("is not a hub id"), failed.get(1).message());
        }
    }
}
