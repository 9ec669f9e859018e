package dev.kiln.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP proxy in front of a real server: the browser's only origin in these tests, so it sees (and counts)
 * every request, the bytes each path received, the Range headers, and can drop the connection after N bytes of the
 * first answers for shard files (a network that breaks mid-download). Stopping it is "the server is gone".
 */
final class CountingProxy implements AutoCloseable {
    private static final Set<String> HOP = Set.of("connection", "content-length", "transfer-encoding", "keep-alive", "host",
            "upgrade", "expect", "te", "trailer", "proxy-connection");

    record Hit(String path, String range, int status, long bytes) {}

    private final HttpServer server;
    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private volatile String upstream;
    final List<Hit> hits = new CopyOnWriteArrayList<>();
    /** Bytes of a shard answer after which the connection is dropped (0: never), for {@link #dropsLeft} answers. */
    volatile int dropAfter;
    final AtomicInteger dropsLeft = new AtomicInteger();
    /** Milliseconds each shard answer waits before its body (a slow network, so two loads overlap). */
    volatile int shardDelayMs;
    /** Flip one byte of every shard body (a damaged copy on the server). */
    volatile boolean tamper;
    private final Map<String, Long> bytesByPath = new ConcurrentHashMap<>();

    CountingProxy(String upstreamBase) throws IOException {
        this.upstream = upstreamBase;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(8));
        server.start();
    }

    /** Sends later requests to another server (a new release of the models behind the same origin). */
    void upstream(String base) { this.upstream = base; }

    String url(String path) { return "http://127.0.0.1:" + server.getAddress().getPort() + path; }

    /** Requests for shard files so far. */
    long shardRequests() { return hits.stream().filter(h -> isShard(h.path())).count(); }

    /** Bytes of shard bodies sent so far. */
    long shardBytes() { return hits.stream().filter(h -> isShard(h.path())).mapToLong(Hit::bytes).sum(); }

    List<Hit> shardHits() { return hits.stream().filter(h -> isShard(h.path())).toList(); }

    static boolean isShard(String path) { return path.contains("/shard-") && path.endsWith(".bin"); }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(upstream + ex.getRequestURI()))
                    .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.noBody());
            ex.getRequestHeaders().forEach((k, vs) -> {
                if (!HOP.contains(k.toLowerCase())) for (String v : vs) b.header(k, v);
            });
            HttpResponse<byte[]> res = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            res.headers().map().forEach((k, vs) -> {
                if (!HOP.contains(k.toLowerCase()) && !k.startsWith(":")) ex.getResponseHeaders().put(k, vs);
            });
            byte[] body = res.body();
            if (tamper && isShard(path) && body.length > 100) {
                body = body.clone();
                body[100] ^= (byte) 0xff;
            }
            boolean head = ex.getRequestMethod().equals("HEAD");
            boolean noBody = head || res.statusCode() == 304 || res.statusCode() == 204;
            int cut = body.length;
            if (isShard(path) && !noBody && dropAfter > 0 && body.length > dropAfter && dropsLeft.getAndDecrement() > 0) {
                cut = dropAfter;
            }
            hits.add(new Hit(path, ex.getRequestHeaders().getFirst("Range"), res.statusCode(), noBody ? 0 : cut));
            if (isShard(path) && shardDelayMs > 0) Thread.sleep(shardDelayMs);
            // a cut answer goes out chunked and simply ends early: JDK's HttpServer cannot reset a connection, and
            // a fixed-length answer left short would hang instead of breaking
            ex.sendResponseHeaders(res.statusCode(), noBody ? -1 : cut < body.length ? 0 : body.length);
            if (!noBody) {
                OutputStream out = ex.getResponseBody();
                out.write(body, 0, cut);
                out.flush();
            }
            ex.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ex.close();
        } catch (IOException e) {
            hits.add(new Hit(path, null, 502, 0));
            try { ex.sendResponseHeaders(502, -1); } catch (IOException ignored) { /* already sent */ }
            ex.close();
        }
    }

    @Override
    public void close() { server.stop(0); }
}
