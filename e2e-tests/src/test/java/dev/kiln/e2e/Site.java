package dev.kiln.e2e;

import dev.kiln.server.ModelCatalog;
import dev.kiln.server.ServedModel;
import dev.kiln.server.Server;
import dev.kiln.server.ServerConfig;
import io.javalin.Javalin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The real backend serving the built site (site/target/site) and real models packaged on start. */
final class Site implements AutoCloseable {
    final Javalin app;
    final ModelCatalog catalog;
    private final Path cache;

    Site(List<Path> models) throws IOException {
        this(models, builtSite());
    }

    /** The built site: site/target/site. */
    static Path builtSite() { return Path.of(System.getProperty("kiln.site", "../site/target/site")); }

    /** Serves {@code siteDir} (a copy of the built site a test may change) and {@code models}. */
    Site(List<Path> models, Path siteDir) throws IOException {
        if (!Files.exists(siteDir.resolve("index.html")) || !Files.isDirectory(siteDir.resolve("engine"))) {
            fail("the built site is missing at " + siteDir.toAbsolutePath() + ": build it first (mvn install)");
        }
        cache = Files.createTempDirectory("kiln-e2e-cache");
        ServerConfig config = ServerConfig.defaults().withPort(0).withSiteDir(siteDir)
                .withModels(models, List.of()).withCacheDir(cache);
        catalog = ModelCatalog.prepare(config);
        if (!catalog.failures().isEmpty()) fail("packaging failed: " + catalog.failures());
        app = Server.start(Server.create(config, catalog), config);
    }

    String url(String path) { return "http://127.0.0.1:" + app.port() + path; }

    /** The served model packaged from this input file. */
    ServedModel model(Path input) {
        for (ServedModel m : catalog.models()) {
            if (m.source() != null && m.source().toAbsolutePath().normalize().equals(input.toAbsolutePath().normalize())) return m;
        }
        throw new IllegalArgumentException("no served model from " + input + ": " + catalog.models());
    }

    @Override
    public void close() throws IOException {
        app.stop();
        try (var walk = Files.walk(cache)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** ../shared/models, or a skip (a failure under CI=true) saying why. */
    static Path sharedModels() {
        Path shared = Path.of(System.getProperty("kiln.shared", "../../shared")).resolve("models");
        if (!Files.isDirectory(shared)) {
            String why = "../shared/models is absent (" + shared.toAbsolutePath() + "): real-model browser tests need it";
            if ("true".equals(System.getenv("CI"))) fail(why);
            assumeTrue(false, why);
        }
        return shared;
    }
}
