package dev.kiln.csp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A static file server on 127.0.0.1 that sends the backend's Content-Security-Policy (issue 5) with every response,
 * so a page's behaviour under that exact policy can be tested without the backend (which the site cannot depend
 * on). {@code overrides} serve another file at a path, for the negative control.
 */
final class StaticServer implements AutoCloseable {
    static final String CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self';"
            + " img-src 'self' data:; connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none';"
            + " form-action 'self'; frame-ancestors 'none'";
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "mjs", "text/javascript; charset=utf-8", "wasm", "application/wasm",
            "css", "text/css; charset=utf-8", "svg", "image/svg+xml", "json", "application/json", "map", "application/json");

    private final HttpServer server;
    private final Path root;
    private final Map<String, Path> overrides;

    StaticServer(Path root, Map<String, Path> overrides) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.overrides = overrides;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String url(String path) { return "http://127.0.0.1:" + server.getAddress().getPort() + path; }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            ex.getResponseHeaders().set("Content-Security-Policy", CSP);
            ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            String path = URLDecoder.decode(ex.getRequestURI().getRawPath(), StandardCharsets.UTF_8);
            if (path.equals("/api/models")) {
                send(ex, 200, "application/json", "[]".getBytes(StandardCharsets.UTF_8));
                return;
            }
            Path file = overrides.get(path);
            if (file == null) {
                file = root.resolve(path.equals("/") ? "index.html" : path.substring(1)).normalize();
                if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                    send(ex, 404, "text/plain", ("not found: " + path).getBytes(StandardCharsets.UTF_8));
                    return;
                }
            }
            String name = file.getFileName().toString();
            send(ex, 200, TYPES.getOrDefault(name.substring(name.lastIndexOf('.') + 1), "application/octet-stream"),
                    Files.readAllBytes(file));
        }
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) ex.getResponseBody().write(body);
    }

    @Override
    public void close() { server.stop(0); }
}
