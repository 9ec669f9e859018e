package dev.kiln.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * A local server with the hub's download layout, {@code /ORG/NAME/resolve/REV/FILE}, serving one folder's files:
 * HEAD and GET answer 200 with the size and an ETag holding the file's SHA-256 (as the hub does for LFS files, so the
 * client checks it), 404 for anything else. Counts GETs so tests can tell a download from a cache hit.
 */
final class LocalHub implements AutoCloseable {

    final HttpServer server;
    final String repo;
    final Map<String, byte[]> files = new ConcurrentHashMap<>();
    final List<String> gets = new CopyOnWriteArrayList<>();

    LocalHub(String org, String name, String rev, Path folder) throws IOException {
        repo = "/" + org + "/" + name + "/resolve/" + rev + "/";
        try (Stream<Path> s = Files.list(folder)) {
            for (Path f : s.toList()) files.put(f.getFileName().toString(), Files.readAllBytes(f));
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    URI url() { return URI.create("http://127.0.0.1:" + server.getAddress().getPort()); }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            byte[] b = path.startsWith(repo) ? files.get(path.substring(repo.length())) : null;
            if (b == null) {
                x.sendResponseHeaders(404, -1);
                return;
            }
            x.getResponseHeaders().add("ETag", "\"" + Fixture.sha256(b) + "\"");
            if (x.getRequestMethod().equals("HEAD")) {
                x.getResponseHeaders().set("Content-Length", String.valueOf(b.length));
                x.sendResponseHeaders(200, -1);
                return;
            }
            gets.add(path);
            x.sendResponseHeaders(200, b.length);
            x.getResponseBody().write(b);
        }
    }

    @Override public void close() { server.stop(0); }
}
