package dev.kiln.server;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.util.JavalinBindException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Kiln web server: the static site at {@code /}, packaged models at {@code /models/<id>/<file>} and the model
 * list at {@code /api/models}, all from one origin.
 *
 * <pre>
 *   GET|HEAD /api/models            JSON array of {@link ModelInfo}
 *   GET|HEAD /models/&lt;id&gt;/&lt;file&gt;     manifest.json, tokenizer and shards of a served model (only files its manifest names)
 *   GET|HEAD /, /&lt;path&gt;             the site folder ("/" is index.html); no directory listings
 *   OPTIONS  /models/…, /api/…      CORS preflight (only for --cors-origin origins)
 *   POST     /api/admin/models      package a model at runtime ({@link AdminApi}; 404 unless KILN_ADMIN_TOKEN is set)
 *   GET      /api/admin/jobs/&lt;job&gt;/events   its progress as Server-Sent Events
 *   errors                          {"error": message} with the status
 * </pre>
 * Files go through {@link FileResponder} (ranges, ETags, conditional requests, caching, gzip), paths through
 * {@link RequestPath} (hostile paths are 400/404), every response gets {@link SecurityHeaders}.
 */
public final class Server {

    public static final Logger LOG = LoggerFactory.getLogger("kiln.server");
    static final JsonMapper JSON = JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();

    private Server() {}

    /** Prepares the models (packaging where needed) and builds the server; {@code start()} it to listen. */
    public static Javalin create(ServerConfig config) {
        return create(config, ModelCatalog.prepare(config));
    }

    public static Javalin create(ServerConfig config, ModelCatalog catalog) {
        SiteFiles site = new SiteFiles(config.siteDir());
        if (!site.exists()) LOG.warn("site folder {} does not exist: pages will be 404 (run ./kiln build)", site.root());
        List<String> cors = config.corsOrigins();
        AdminApi admin = new AdminApi(config, catalog);
        RequestGuard guard = new RequestGuard(config);
        return Javalin.create(c -> {
            c.jetty.host = config.host();
            c.jetty.port = config.port();
            c.jetty.modifyHttpConfiguration(http -> http.setSendServerVersion(false));
            c.startup.showJavalinBanner = false;
            c.startup.showOldJavalinVersionWarning = false;
            c.http.compressionStrategy = CompressionStrategy.NONE; // FileResponder compresses, never shards
            c.http.prefer405over404 = true;
            c.routes.before(ctx -> SecurityHeaders.apply(ctx, cors));
            c.routes.before(guard::check);
            c.routes.post(AdminApi.MODELS, admin::submit);
            c.routes.get(AdminApi.EVENTS, admin::events);
            c.routes.get(AdminApi.JOB, admin::state);
            c.routes.delete(AdminApi.JOB, admin::cancel);
            c.events.serverStopping(admin::close);
            c.routes.get("/api/models", ctx -> listModels(ctx, catalog));
            c.routes.head("/api/models", ctx -> listModels(ctx, catalog));
            c.routes.get("/", ctx -> file(ctx, site, catalog));
            c.routes.head("/", ctx -> file(ctx, site, catalog));
            c.routes.get("/<path>", ctx -> file(ctx, site, catalog));
            c.routes.head("/<path>", ctx -> file(ctx, site, catalog));
            c.routes.options("/<path>", ctx -> SecurityHeaders.preflight(ctx, cors));
            c.routes.exception(HttpError.class, (e, ctx) -> {
                if (e.status() == 400) guard.logMalformed(ctx, e.getMessage());
                error(ctx, e.status(), e.getMessage());
            });
            c.routes.exception(Exception.class, (e, ctx) -> unexpected(e, ctx, guard));
            c.routes.error(405, ctx -> error(ctx, 405, ctx.method() + " is not allowed here: the server only answers GET and HEAD"
                    + " (and POST " + AdminApi.MODELS + ")"));
        });
    }

    /**
     * Starts {@code app}; a port that is taken becomes a {@link PortInUseException} that says what to do.
     */
    public static Javalin start(Javalin app, ServerConfig config) {
        try {
            return app.start();
        } catch (JavalinBindException e) {
            app.stop();
            throw new PortInUseException(config.host(), config.port(), e);
        }
    }

    static void listModels(Context ctx, ModelCatalog catalog) throws IOException {
        List<ModelInfo> list = new ArrayList<>();
        for (ServedModel m : catalog.models()) list.add(ModelInfo.of(m, Files.size(m.dir().resolve(m.manifest().tokenizer()))));
        ctx.header("Cache-Control", "no-cache");
        ctx.contentType("application/json");
        ctx.result(JSON.writeValueAsString(list));
    }

    static void file(Context ctx, SiteFiles site, ModelCatalog catalog) throws IOException {
        RequestPath path = RequestPath.parse(ctx.req().getRequestURI());
        boolean head = ctx.method() == HandlerType.HEAD;
        if (path.size() > 0 && path.segment(0).equals("models")) {
            FileResponder.send(ctx, modelFile(path, catalog), head);
        } else if (path.size() > 0 && path.segment(0).equals("api")) {
            throw HttpError.notFound("no API endpoint " + ctx.path() + " (there is /api/models)");
        } else if (path.size() == 1 && path.segment(0).equals("favicon.ico") && !exists(site, path)) {
            ctx.status(204); // browsers ask for it whatever the page says; the site's icon is favicon.svg
        } else {
            FileResponder.send(ctx, site.resolve(path), head);
        }
    }

    /** {@code /models/<id>/<file>}: only a served model, only a file its manifest names, only inside its folder. */
    static Path modelFile(RequestPath path, ModelCatalog catalog) {
        if (path.size() != 3) throw HttpError.notFound("model files are at /models/<id>/<file>");
        ServedModel m = catalog.model(path.segment(1));
        if (m == null) throw HttpError.notFound("no model '" + path.segment(1) + "' is served (see /api/models)");
        if (!m.files().contains(path.segment(2))) throw HttpError.notFound("model '" + m.id() + "' has no file '" + path.segment(2) + "'");
        return SiteFiles.below(m.dir(), path.segment(2));
    }

    private static boolean exists(SiteFiles site, RequestPath path) {
        try {
            site.resolve(path);
            return true;
        } catch (HttpError e) {
            return false;
        }
    }

    static void error(Context ctx, int status, String message) {
        ctx.status(status);
        ctx.header("Cache-Control", "no-store");
        ctx.contentType("application/json");
        ctx.result(JSON.writeValueAsString(Map.of("error", message)));
    }

    private static void unexpected(Exception e, Context ctx, RequestGuard guard) {
        if (RequestGuard.isMalformedRequest(e)) {
            guard.logMalformed(ctx, e.getMessage());
            error(ctx, 400, "malformed request: " + e.getMessage());
            return;
        }
        LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
        error(ctx, 500, "internal error: " + e);
    }
}
