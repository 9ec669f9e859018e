package dev.kiln.cli;

import dev.kiln.packager.hub.Hub;
import dev.kiln.server.ModelCatalog;
import dev.kiln.server.ServedModel;
import dev.kiln.server.Server;
import dev.kiln.server.ServerConfig;
import io.javalin.Javalin;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * One model (any input kind, packaged into the cache if needed) served with the site by the real server on a free
 * loopback port: how {@code generate}, {@code verify} and {@code bench} hand a model to the engine.
 */
final class LocalModelServer implements AutoCloseable {
    final ServedModel model;
    private final Javalin app;

    /** Thrown when the input cannot be packaged; the message says why. */
    static final class InputFailed extends Exception {
        InputFailed(String message) { super(message); }
    }

    private LocalModelServer(ServedModel model, Javalin app) {
        this.model = model;
        this.app = app;
    }

    static LocalModelServer start(String input, Path cacheDir, URI hubUrl) throws InputFailed {
        ServerConfig config = ServerConfig.defaults().withPort(0).withSiteDir(Installation.siteDir())
                .withModelInputs(List.of(input), List.of())
                .withCacheDir(cacheDir != null ? cacheDir : ServerConfig.defaultCacheDir())
                .withHub(Hub.Options.fromEnvironment(hubUrl));
        ModelCatalog catalog = ModelCatalog.prepare(config);
        if (!catalog.failures().isEmpty()) throw new InputFailed(catalog.failures().get(0).message());
        return new LocalModelServer(catalog.models().get(0), Server.start(Server.create(config, catalog), config));
    }

    /** An absolute URL on this server, e.g. {@code url("/")}. */
    String url(String path) { return "http://127.0.0.1:" + app.port() + path; }

    String manifestUrl() { return url(model.manifestUrl()); }

    @Override
    public void close() { app.stop(); }
}
