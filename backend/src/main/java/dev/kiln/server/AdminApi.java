package dev.kiln.server;

import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The admin API: package a model while the server runs, and follow it over Server-Sent Events.
 *
 * <pre>
 *   POST /api/admin/models               body {"input": "&lt;path | hf:ORG/NAME[@REV]&gt;"}
 *                                        → 202 {"job", "input", "events_url"}; the job is queued (one packages at a time)
 *   GET  /api/admin/jobs/&lt;job&gt;/events    Accept: text/event-stream → the job's events from the first
 *                                        ({@link AdminJob}: progress…, then done or error), then the stream ends
 *   GET  /api/admin/jobs/&lt;job&gt;           {"job", "input", "state": queued|running|done|failed|cancelled, "message"}
 *   DELETE /api/admin/jobs/&lt;job&gt;         cancels it (also done after {@link AdminJobs#DEFAULT_TIMEOUT}); answers its state
 * </pre>
 * Off unless the server has a token ({@code KILN_ADMIN_TOKEN}): then every admin request is 404, as if the routes did
 * not exist. On: {@code Authorization: Bearer <token>} is required (missing or wrong: 401), compared in constant time
 * (SHA-256 of both, then {@link MessageDigest#isEqual}). A path input must lie, after resolving symlinks, inside a
 * {@code --models-dir} or an {@code --admin-root} folder (else 403); a relative path is looked up in each of them in
 * order. Hub ids are allowed (they download from the configured hub only). Errors are {@code {"error": message}}.
 */
final class AdminApi {

    static final String MODELS = "/api/admin/models";
    static final String EVENTS = "/api/admin/jobs/{job}/events";
    static final String JOB = "/api/admin/jobs/{job}";
    /** Events stream idle this long get a comment line, so proxies and clients see the connection alive. */
    static final long KEEP_ALIVE_MS = 15_000;

    private final ServerConfig config;
    private final AdminJobs jobs; // null when the admin API is off
    private final byte[] tokenHash;

    AdminApi(ServerConfig config, ModelCatalog catalog) {
        this(config, catalog, AdminJobs.configuredTimeout());
    }

    AdminApi(ServerConfig config, ModelCatalog catalog, java.time.Duration jobTimeout) {
        this.config = config;
        this.jobs = config.adminToken() == null ? null : new AdminJobs(catalog, jobTimeout);
        this.tokenHash = config.adminToken() == null ? null : sha256(config.adminToken());
    }

    void close() {
        if (jobs != null) jobs.close();
    }

    void submit(Context ctx) {
        authorize(ctx);
        String input = input(ctx);
        String checked = checkInput(input);
        AdminJob job = jobs.submit(checked);
        String events = EVENTS.replace("{job}", job.id);
        ctx.status(202);
        ctx.header("Location", events);
        ctx.header("Cache-Control", "no-store");
        ctx.contentType("application/json");
        ctx.result(Server.JSON.writeValueAsString(Map.of("job", job.id, "input", checked, "events_url", events)));
    }

    /** {@code GET /api/admin/jobs/<job>}: its state ({@code queued, running, done, failed, cancelled}) and last message. */
    void state(Context ctx) {
        authorize(ctx);
        reportState(ctx, job(ctx));
    }

    /** {@code DELETE /api/admin/jobs/<job>}: cancels a queued or running job (a finished one is left as it is). */
    void cancel(Context ctx) {
        authorize(ctx);
        AdminJob job = job(ctx);
        jobs.cancel(job, "cancelled by DELETE " + ctx.path());
        reportState(ctx, job);
    }

    private static void reportState(Context ctx, AdminJob job) {
        ctx.header("Cache-Control", "no-store");
        ctx.contentType("application/json");
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("job", job.id);
        body.put("input", job.input);
        body.put("state", job.state().name().toLowerCase(java.util.Locale.ROOT));
        body.put("message", job.message());
        ctx.result(Server.JSON.writeValueAsString(body));
    }

    private AdminJob job(Context ctx) {
        AdminJob job = jobs.job(ctx.pathParam("job"));
        if (job == null) throw HttpError.notFound("no admin job '" + ctx.pathParam("job") + "' (jobs are kept until "
                + AdminJobs.KEPT + " newer ones or a restart)");
        return job;
    }

    void events(Context ctx) {
        authorize(ctx);
        AdminJob job = job(ctx);
        String accept = ctx.header("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
            throw new HttpError(406, "this is a Server-Sent Events stream: send Accept: text/event-stream");
        }
        new SseHandler(client -> stream(client, job)).handle(ctx);
    }

    /** Sends the job's events in order until the last one (or the client leaves, or the server stops). */
    private static void stream(SseClient client, AdminJob job) {
        try {
            for (int i = 0; !client.terminated(); ) {
                AdminJob.Event e = job.await(i, KEEP_ALIVE_MS);
                if (e == null) {
                    if (job.closed()) break;
                    client.sendComment("keep-alive");
                    continue;
                }
                client.sendEvent(e.name(), e.data());
                i++;
                if (e.last()) break;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            client.close();
        }
    }

    /** 404 when off; 401 (with {@code WWW-Authenticate}) without the right bearer token. */
    private void authorize(Context ctx) {
        if (jobs == null) {
            throw HttpError.notFound("no API endpoint " + ctx.path() + " (the admin API is off: the server was started"
                    + " without " + ServerConfig.ADMIN_TOKEN_ENV + ")");
        }
        String auth = ctx.header("Authorization");
        String given = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).strip() : null;
        if (given == null || !MessageDigest.isEqual(sha256(given), tokenHash)) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"kiln-admin\"");
            throw new HttpError(401, given == null
                    ? "the admin API needs Authorization: Bearer <the server's " + ServerConfig.ADMIN_TOKEN_ENV + ">"
                    : "wrong admin token");
        }
    }

    private static String input(Context ctx) {
        JsonNode body;
        try {
            body = Server.JSON.readTree(ctx.body());
        } catch (JacksonException e) {
            throw HttpError.badRequest("the body must be JSON like {\"input\": \"/models/my-model.gguf\"}: " + e.getOriginalMessage());
        }
        JsonNode in = body == null ? null : body.get("input");
        if (in == null || !in.isString() || in.asString().isBlank()) {
            throw HttpError.badRequest("the body needs \"input\": a path (inside a models dir or admin root) or hf:ORG/NAME[@REV]");
        }
        return in.asString().strip();
    }

    /**
     * A hub id as is; a path made absolute and checked to lie inside an allowed root, also after resolving symlinks
     * (403 otherwise), and to exist (404 otherwise).
     */
    String checkInput(String input) {
        if (input.startsWith("hf:")) {
            try {
                return ModelInput.of(input).spec();
            } catch (IllegalArgumentException e) {
                throw HttpError.badRequest(e.getMessage());
            }
        }
        List<Path> roots = config.adminAllowedRoots();
        if (roots.isEmpty()) {
            throw new HttpError(403, "the admin API packages files only from --models-dir or --admin-root folders, and"
                    + " the server has none: restart it with one, or give a hf: id");
        }
        Path given;
        try {
            given = Path.of(input);
        } catch (InvalidPathException e) {
            throw HttpError.badRequest("input '" + input + "' is not a valid path: " + e.getReason());
        }
        List<Path> candidates = new ArrayList<>();
        if (given.isAbsolute()) candidates.add(given.normalize());
        else for (Path r : roots) candidates.add(r.toAbsolutePath().resolve(given).normalize());
        boolean inside = false;
        for (Path c : candidates) {
            for (Path r : roots) {
                Path root = r.toAbsolutePath().normalize();
                if (!c.startsWith(root)) continue;
                inside = true;
                if (!Files.exists(c)) continue;
                if (!Files.isRegularFile(c) && !Files.isDirectory(c)) {
                    throw HttpError.badRequest("input " + input + " is not a regular file or a folder (a FIFO, socket or"
                            + " device?): the admin API packages model files and folders only");
                }
                if (realInside(c, root)) return c.toString();
                throw new HttpError(403, "input " + input + " leads outside the allowed folders " + roots + " (a symlink)");
            }
        }
        if (!inside) throw new HttpError(403, "input " + input + " is outside the folders the admin API may read " + roots);
        throw HttpError.notFound("input " + input + " does not exist in " + roots);
    }

    private static boolean realInside(Path p, Path root) {
        try {
            return p.toRealPath().startsWith(root.toRealPath());
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] sha256(String s) {
        return FileTag.sha256().digest(s.getBytes(StandardCharsets.UTF_8));
    }
}
