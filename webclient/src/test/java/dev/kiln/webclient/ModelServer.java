package dev.kiln.webclient;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import com.sun.net.httpserver.HttpServer;

/** Serves a folder over HTTP on 127.0.0.1 (an ephemeral port) with the JDK's server: what the engine fetches from. */
final class ModelServer implements AutoCloseable {
    private final HttpServer server;

    ModelServer(Path root) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            Path file = root.resolve(ex.getRequestURI().getPath().substring(1)).normalize();
            if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                ex.sendResponseHeaders(404, -1);
                ex.close();
                return;
            }
            byte[] body = Files.readAllBytes(file);
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
