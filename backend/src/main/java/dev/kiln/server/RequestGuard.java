package dev.kiln.server;

import io.javalin.http.Context;

import java.net.URLDecoder;
import java.util.List;
import java.util.Locale;

/**
 * Checks made before any route: malformed requests are a 400 logged in one rate-limited line (never a 500 with a
 * stack trace), and a server bound to a loopback address answers only requests whose {@code Host} is a loopback
 * name or address or an {@code --allowed-host} name — otherwise a web page on another site could make the victim's
 * browser reach it through DNS rebinding (a name that resolves to 127.0.0.1 after the page loaded).
 */
final class RequestGuard {
    /** Log lines per minute for each kind of refusal. */
    static final int LOG_BURST = 10;
    private static final long WINDOW_MILLIS = 60_000;

    private final boolean loopbackOnly;
    private final List<String> allowedHosts;
    private final RateLimitedLog malformed = new RateLimitedLog("malformed requests", LOG_BURST, WINDOW_MILLIS);
    private final RateLimitedLog foreignHost = new RateLimitedLog("requests for other hosts", LOG_BURST, WINDOW_MILLIS);

    RequestGuard(ServerConfig config) {
        this.loopbackOnly = isLoopback(config.host());
        this.allowedHosts = config.allowedHosts().stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
    }

    /** A before-handler: refuses requests for foreign hosts and requests whose path cannot be decoded. */
    void check(Context ctx) {
        String host = ctx.header("Host");
        if (loopbackOnly && host != null && !allowedHost(host)) {
            foreignHost.warn("refused " + ctx.method() + " for Host '" + oneLine(host) + "' from " + ctx.ip()
                    + " (a loopback server answers only loopback names; add --allowed-host to serve this name)");
            throw new HttpError(403, "this server answers only requests for localhost (Host '" + oneLine(host)
                    + "' is not allowed; start it with --allowed-host " + hostName(host) + " to allow it)");
        }
    }

    /** Whether {@code e}, thrown by Javalin or Jetty before our handlers ran, means the request itself was malformed. */
    static boolean isMalformedRequest(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (!(t instanceof IllegalArgumentException)) continue;
            for (StackTraceElement s : t.getStackTrace()) {
                if (s.getClassName().equals(URLDecoder.class.getName())) return true;
            }
        }
        return false;
    }

    /** Logs a refused malformed request in one rate-limited line. */
    void logMalformed(Context ctx, String why) {
        malformed.warn("400 for " + ctx.method() + " " + oneLine(ctx.req().getRequestURI()) + " from " + ctx.ip() + ": " + oneLine(why));
    }

    boolean allowedHost(String hostHeader) {
        String name = hostName(hostHeader);
        return isLoopback(name) || allowedHosts.contains(name);
    }

    /** The Host header without its port and brackets, lowercased. */
    static String hostName(String hostHeader) {
        String h = hostHeader.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(1, end);
        }
        int colon = h.indexOf(':');
        if (colon >= 0 && h.indexOf(':', colon + 1) < 0) h = h.substring(0, colon);
        if (h.endsWith(".")) h = h.substring(0, h.length() - 1);
        return h;
    }

    /** localhost, *.localhost, 127.0.0.0/8 and ::1 (names and literals only: nothing is resolved). */
    static boolean isLoopback(String host) {
        String h = hostName(host);
        if (h.equals("localhost") || h.endsWith(".localhost")) return true;
        if (h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")) return true;
        return h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    private static String oneLine(String s) {
        if (s == null) return "";
        String t = s.replaceAll("[\\p{Cntrl}]", "?");
        return t.length() > 200 ? t.substring(0, 200) + "…" : t;
    }
}
