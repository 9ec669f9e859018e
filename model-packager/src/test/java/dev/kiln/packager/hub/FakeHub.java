package dev.kiln.packager.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local server with the hub's URL layout and headers: {@code /ORG/NAME/resolve/REV/FILE} answers small files
 * with 200 (ETag: a git-style SHA-1) and LFS files (safetensors) with 302 to {@code /lfs/<sha256>} plus
 * {@code X-Linked-Size} and {@code X-Linked-ETag}; {@code /lfs/…} serves bytes with Range support. Faults on demand:
 * cut a body after N bytes once, announce a wrong SHA-256, demand a token.
 */
final class FakeHub implements AutoCloseable {
    /** One request as received: method, path, Range and Authorization headers. */
    record Request(String method, String path, String range, String auth) {}

    final HttpServer server;
    final String repo;
    final Map<String, byte[]> files = new ConcurrentHashMap<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();
    final Map<String, Long> cutOnce = new ConcurrentHashMap<>();   // file -> bytes sent before closing, first GET only
    final Map<String, String> wrongSha = new ConcurrentHashMap<>(); // file -> the SHA-256 to announce instead
    volatile String requiredToken;

    FakeHub(String org, String name, String rev) throws IOException {
        repo = "/" + org + "/" + name + "/resolve/" + rev + "/";
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    URI url() { return URI.create("http://127.0.0.1:" + server.getAddress().getPort()); }

    static boolean lfs(String file) { return file.endsWith(".safetensors"); }

    private void handle(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        requests.add(new Request(x.getRequestMethod(), path, x.getRequestHeaders().getFirst("Range"),
                x.getRequestHeaders().getFirst("Authorization")));
        try (x) {
            if (path.startsWith(repo)) {
                if (requiredToken != null && !("Bearer " + requiredToken).equals(x.getRequestHeaders().getFirst("Authorization"))) {
                    x.sendResponseHeaders(401, -1);
                    return;
                }
                String file = path.substring(repo.length());
                byte[] b = files.get(file);
                if (b == null) {
                    x.sendResponseHeaders(404, -1);
                    return;
                }
                x.getResponseHeaders().add("X-Repo-Commit", "0123456789abcdef0123456789abcdef01234567");
                if (lfs(file)) {
                    String sha = sha256(b);
                    x.getResponseHeaders().add("X-Linked-Size", String.valueOf(b.length));
                    x.getResponseHeaders().add("X-Linked-ETag", "\"" + wrongSha.getOrDefault(file, sha) + "\"");
                    x.getResponseHeaders().add("Location", "/lfs/" + sha + "?file=" + file);
                    x.sendResponseHeaders(302, -1);
                    return;
                }
                x.getResponseHeaders().add("ETag", "\"" + sha256(b).substring(0, 40) + "\"");
                body(x, b, 0, file);
                return;
            }
            if (path.startsWith("/lfs/")) {
                String file = x.getRequestURI().getQuery().substring("file=".length());
                byte[] b = files.get(file);
                String range = x.getRequestHeaders().getFirst("Range");
                long from = range == null ? 0 : Long.parseLong(range.substring("bytes=".length(), range.length() - 1));
                if (from >= b.length) {
                    x.sendResponseHeaders(416, -1);
                    return;
                }
                if (range != null) x.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (b.length - 1) + "/" + b.length);
                body(x, b, (int) from, file);
                return;
            }
            x.sendResponseHeaders(404, -1);
        }
    }

    private void body(HttpExchange x, byte[] b, int from, String file) throws IOException {
        boolean head = x.getRequestMethod().equals("HEAD");
        if (head) x.getResponseHeaders().set("Content-Length", String.valueOf(b.length - from));
        x.sendResponseHeaders(from > 0 ? 206 : 200, head ? -1 : b.length - from);
        if (head) return;
        Long cut = x.getRequestMethod().equals("GET") ? cutOnce.remove(file) : null;
        OutputStream out = x.getResponseBody();
        if (cut != null) { // send part of the body, then drop the connection
            out.write(b, from, (int) (long) cut);
            out.flush();
            throw new IOException("FakeHub: connection cut after " + cut + " bytes of " + file);
        }
        out.write(b, from, b.length - from);
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override public void close() { server.stop(0); }
}
