package dev.kiln.server;

import io.javalin.http.Context;

import java.util.List;

/**
 * Headers on every response, and CORS.
 *
 * <p>The Content-Security-Policy allows only this origin: scripts from files (no inline script, no eval) plus
 * {@code 'wasm-unsafe-eval'}, which compiling WebAssembly needs; fetches (manifests, shards, the API) to this origin;
 * no plugins, no framing, no base-URI tricks. No third-party origin appears anywhere.
 *
 * <p>CORS is off unless origins are allow-listed ({@code --cors-origin}); then {@code /models/…} and
 * {@code /api/…} answer those origins (and only those) with {@code Access-Control-Allow-Origin: <origin>}, so
 * another site can load models hosted here. Preflights ({@code OPTIONS}) allow GET and HEAD with Range and
 * the conditional headers.
 */
public final class SecurityHeaders {

    public static final String CSP = String.join("; ",
            "default-src 'self'",
            "script-src 'self' 'wasm-unsafe-eval'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'");

    private static final String EXPOSED = "Content-Length, Content-Range, Content-Encoding, Accept-Ranges, ETag, Last-Modified";
    private static final String ALLOWED_HEADERS = "Range, If-Range, If-None-Match, If-Modified-Since, If-Match";

    private SecurityHeaders() {}

    public static void apply(Context ctx, List<String> corsOrigins) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Cross-Origin-Opener-Policy", "same-origin");
        ctx.header("Cross-Origin-Resource-Policy", corsOrigins.isEmpty() ? "same-origin" : "cross-origin");
        String origin = ctx.header("Origin");
        if (origin != null && corsApplies(ctx.path()) && corsOrigins.contains(origin)) {
            ctx.header("Access-Control-Allow-Origin", origin);
            ctx.header("Access-Control-Expose-Headers", EXPOSED);
        }
        if (!corsOrigins.isEmpty()) ctx.header("Vary", "Origin");
    }

    /** {@code OPTIONS}: a CORS preflight from an allowed origin gets 204 with the allowed methods and headers. */
    public static void preflight(Context ctx, List<String> corsOrigins) {
        String origin = ctx.header("Origin");
        if (origin == null || ctx.header("Access-Control-Request-Method") == null) {
            throw new HttpError(405, "OPTIONS is only answered as a CORS preflight");
        }
        if (!corsApplies(ctx.path()) || !corsOrigins.contains(origin)) {
            throw new HttpError(403, "origin " + origin + " is not allowed"
                    + (corsOrigins.isEmpty() ? " (CORS is off; start the server with --cors-origin " + origin + ")" : ""));
        }
        ctx.header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
        ctx.header("Access-Control-Allow-Headers", ALLOWED_HEADERS);
        ctx.header("Access-Control-Max-Age", "600");
        ctx.status(204);
    }

    private static boolean corsApplies(String path) {
        return path.startsWith("/models/") || path.startsWith("/api/");
    }
}
