package dev.kiln.server;

import dev.kiln.model.DType;
import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeStyle;
import dev.kiln.model.ShardInfo;
import dev.kiln.model.TensorInfo;
import io.javalin.Javalin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Load and abuse on loopback, bounded in time ({@code -Dkiln.abuse.seconds}, default 15) and connections: valid
 * downloads of an 8 MiB shard (each checked against the manifest's SHA-256) run alongside garbage requests (random
 * bytes, bad escapes, foreign Host headers), half-open connections that never finish their request, and slow readers
 * that take a byte at a time. Valid downloads must all succeed, and once the abusers are gone the process's open file
 * handles and heap must be back near where they started.
 */
class AbuseLoadTest {
    static final int SECONDS = Integer.getInteger("kiln.abuse.seconds", 15);
    static final int SHARD_BYTES = 8 << 20, HALF_OPEN = 200, SLOW_READERS = 20, DOWNLOADERS = 3, GARBAGE_SENDERS = 2;

    @TempDir Path tmp;

    static long openFiles() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** The targets of the open file descriptors, counted by kind, for a failure message. */
    static java.util.Map<String, Long> describeOpenFiles() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(p -> {
                try {
                    return Files.readSymbolicLink(p).toString().replaceAll("\\[\\d+\\]", "[n]");
                } catch (IOException e) {
                    return "?";
                }
            }).collect(java.util.stream.Collectors.groupingBy(t -> t, java.util.TreeMap::new, java.util.stream.Collectors.counting()));
        }
    }

    static long heapUsedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    static Manifest writeModel(Path dir) throws Exception {
        Files.createDirectories(dir);
        byte[] shard = new byte[SHARD_BYTES];
        new Random(7).nextBytes(shard);
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(shard));
        String file = "shard-00000-" + hash.substring(0, 16) + ".bin";
        Files.write(dir.resolve(file), shard);
        byte[] tok = "{}".getBytes(StandardCharsets.UTF_8);
        String tokFile = "tokenizer-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(tok)).substring(0, 16) + ".json";
        Files.write(dir.resolve(tokFile), tok);
        ModelConfig config = new ModelConfig("llama", 16, 2, 4, 2, 4, 32, 8, 1e-5f, 10000f, RopeStyle.INTERLEAVED, 64, 1, 2, true);
        Manifest m = new Manifest("abuse", config, tokFile, List.of(new TensorInfo("token_embd.weight", new long[] {8, 16}, DType.F32, 0, 0, 512)),
                List.of(new ShardInfo(file, shard.length, hash)));
        Files.writeString(dir.resolve("manifest.json"), m.toJson());
        return m;
    }

    @Test
    void validDownloadsKeepSucceedingUnderAbuseAndHandlesAndHeapStayFlat() throws Exception {
        Manifest m = writeModel(tmp.resolve("abuse"));
        ServerConfig config = ServerConfig.defaults().withPort(0).withSiteDir(tmp.resolve("no-site"))
                .withModels(List.of(tmp.resolve("abuse")), List.of()).withCacheDir(tmp.resolve("cache"));
        Javalin app = Server.start(Server.create(config), config);
        int port = app.port();
        String shardPath = "/models/abuse/" + m.shards().get(0).file();
        URI shardUrl = URI.create("http://127.0.0.1:" + port + shardPath);
        AtomicLong ok = new AtomicLong(), bad = new AtomicLong(), garbage = new AtomicLong(), bytes = new AtomicLong();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            download(shardUrl, m, bytes); // warm up: classes loaded, pools started
            long fd0 = openFiles(), heap0 = heapUsedAfterGc();
            long end = System.nanoTime() + SECONDS * 1_000_000_000L;
            List<Socket> halfOpen = new ArrayList<>(), slow = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(DOWNLOADERS + GARBAGE_SENDERS + SLOW_READERS);
            long peakFd = fd0;
            try {
                for (int i = 0; i < HALF_OPEN; i++) {
                    Socket s = new Socket("127.0.0.1", port);
                    s.getOutputStream().write("GET /models/abuse/".getBytes(StandardCharsets.ISO_8859_1)); // never finished
                    halfOpen.add(s);
                }
                for (int i = 0; i < SLOW_READERS; i++) {
                    Socket s = new Socket("127.0.0.1", port);
                    s.setReceiveBufferSize(1024);
                    slow.add(s);
                    pool.submit(() -> slowRead(s, shardPath, end));
                }
                for (int i = 0; i < DOWNLOADERS; i++) {
                    pool.submit(() -> {
                        while (System.nanoTime() < end) {
                            try {
                                download(shardUrl, m, bytes);
                                ok.incrementAndGet();
                            } catch (Exception e) {
                                bad.incrementAndGet();
                                failures.add(e.toString());
                            }
                        }
                    });
                }
                for (int i = 0; i < GARBAGE_SENDERS; i++) {
                    int seed = i;
                    pool.submit(() -> {
                        Random r = new Random(seed);
                        while (System.nanoTime() < end) {
                            try {
                                garbage(port, r);
                                garbage.incrementAndGet();
                            } catch (IOException e) {
                                garbage.incrementAndGet(); // the server may reset a garbage connection: that is fine
                            }
                        }
                    });
                }
                while (System.nanoTime() < end) {
                    peakFd = Math.max(peakFd, openFiles());
                    Thread.sleep(500);
                }
            } finally {
                pool.shutdown();
                for (Socket s : halfOpen) s.close();
                for (Socket s : slow) s.close();
                assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS), "the load threads stop by themselves");
            }
            // the server notices closed connections when it next reads or writes them: give it a few seconds
            long fd1 = openFiles(), settle0 = System.nanoTime();
            for (int i = 0; i < 40 && fd1 > fd0 + 16; i++) {
                Thread.sleep(250);
                fd1 = openFiles();
            }
            if (fd1 > fd0 + 16) System.out.println("open files now: " + describeOpenFiles());
            long settleMillis = (System.nanoTime() - settle0) / 1_000_000;
            long heap1 = heapUsedAfterGc();
            String figures = String.format("abuse %d s: %d valid downloads (%d MiB, %d failed), %d garbage requests, %d half-open,"
                    + " %d slow readers; open files %d before, peak %d, %d after (%d ms after the abusers left); heap after GC %d MiB before, %d MiB after",
                    SECONDS, ok.get(), bytes.get() >> 20, bad.get(), garbage.get(), HALF_OPEN, SLOW_READERS, fd0, peakFd, fd1, settleMillis,
                    heap0 >> 20, heap1 >> 20);
            System.out.println(figures);
            assertEquals(0, bad.get(), "valid downloads failed under abuse: " + failures.stream().limit(5).toList() + "\n" + figures);
            assertTrue(ok.get() >= DOWNLOADERS, figures);
            assertTrue(fd1 <= fd0 + 16, "open files grew: " + figures);
            assertTrue(heap1 <= heap0 + (64L << 20), "heap grew: " + figures);
        } finally {
            app.stop();
        }
    }

    /** Downloads the shard and checks its SHA-256 against the manifest. */
    static void download(URI url, Manifest m, AtomicLong bytes) throws Exception {
        HttpResponse<InputStream> r = Fixture.CLIENT.send(HttpRequest.newBuilder(url).timeout(java.time.Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) throw new IOException("status " + r.statusCode());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long n = 0;
        try (InputStream in = r.body()) {
            byte[] buf = new byte[1 << 16];
            for (int k; (k = in.read(buf)) > 0; n += k) sha.update(buf, 0, k);
        }
        if (!HexFormat.of().formatHex(sha.digest()).equals(m.shards().get(0).sha256())) throw new IOException("wrong bytes (" + n + ")");
        bytes.addAndGet(n);
    }

    /** Asks for the shard and reads it a little at a time until the end of the test. */
    static void slowRead(Socket s, String path, long end) {
        try {
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] b = new byte[64];
            while (System.nanoTime() < end && in.read(b) >= 0) Thread.sleep(100);
        } catch (IOException | InterruptedException e) {
            // closed by the test, or timed out by the server: both fine
        }
    }

    private static final String[] GARBAGE = {"GET /a;%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "GET /models/abuse/../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n", "BREW /pot HTCPCP/1.0\r\n\r\n",
            "GET /%c0%af HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes=99999999999999999999-\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX: " + "a".repeat(20_000) + "\r\n\r\n"};

    /** One garbage request (a known-bad one or random bytes), reading whatever comes back. */
    static void garbage(int port, Random r) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            byte[] req;
            if (r.nextBoolean()) {
                req = GARBAGE[r.nextInt(GARBAGE.length)].getBytes(StandardCharsets.ISO_8859_1);
            } else {
                req = new byte[1 + r.nextInt(2000)];
                r.nextBytes(req);
            }
            s.getOutputStream().write(req);
            s.shutdownOutput();
            s.getInputStream().transferTo(OutputStream.nullOutputStream());
        }
    }
}
