package dev.kiln.webclient;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;

/**
 * Serves a folder over HTTP on 127.0.0.1 (an ephemeral port) with the JDK's server: what the engine fetches from.
 * Records each request (path and Cache-Control header), and can answer a path's first request with other bytes
 * ({@link #firstAnswer}), to test what the engine does when a file changes between requests.
 */
final class ModelServer implements AutoCloseable {
    private final HttpServer server;
    /** "path cache-control" of each request, in order. */
    final List<String> requests = new CopyOnWriteArrayList<>();
    /** Bytes to send instead of the file on the first request of a path (then removed). */
    final Map<String, byte[]> firstAnswer = new ConcurrentHashMap<>();

    ModelServer(Path root) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            Path file = root.resolve(ex.getRequestURI().getPath().substring(1)).normalize();
            if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                ex.sendResponseHeaders(404, -1);
                ex.close();
                return;
            }
            String path = ex.getRequestURI().getPath().substring(1);
            requests.add(path + " " + ex.getRequestHeaders().getFirst("Cache-Control"));
            byte[] override = firstAnswer.remove(path);
            byte[] body = override != null ? override : Files.readAllBytes(file);
            ex.getResponseHeaders().set("Content-Type", file.toString().endsWith(".json") ? "application/json" : "application/octet-stream");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    String url(String path) { return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + path; }

    @Override
    public void close() { server.stop(0); }
}
