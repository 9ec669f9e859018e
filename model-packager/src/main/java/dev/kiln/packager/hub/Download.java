package dev.kiln.packager.hub;

import dev.kiln.packager.Packager;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * One file from the hub into the cache, the way the hub serves it:
 * <ol>
 * <li>HEAD {@code …/resolve/REV/FILE} without following redirects: a small file answers 200 with its size; a large
 *   (LFS) file answers 302 to a storage host with {@code X-Linked-Size} and {@code X-Linked-ETag} (its SHA-256).</li>
 * <li>A cached copy whose size and recorded SHA-256 match is used as is.</li>
 * <li>GET into {@code FILE.part}, continuing an earlier partial download with {@code Range: bytes=N-}; a broken
 *   connection is retried ({@link #ATTEMPTS} times), each time resuming where the bytes stopped.</li>
 * <li>The size and SHA-256 are checked; a mismatch deletes the download and is a {@link HubException}. The file
 *   is then renamed into place, with {@code FILE.sha256} beside it.</li>
 * </ol>
 * When the hub cannot be reached, a cached file is used as is (and a file the hub had answered 404 for, remembered as
 * {@code FILE.absent}, stays absent), so a model downloaded once packages offline.
 */
final class Download {
    static final int ATTEMPTS = 4;
    private static final int MAX_REDIRECTS = 5;

    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(30)).build();
    private final String token;
    private final Packager.Progress progress;

    Download(String token, Packager.Progress progress) {
        this.token = token;
        this.progress = progress;
    }

    /** What the hub says about a file. {@code size} -1 and {@code sha256} null when it does not say. */
    record Head(long size, String sha256) {}

    /** Fetches {@code url} into {@code target} unless the cache has it; false when the hub has no such file. */
    boolean fetch(URI url, Path target, String label) throws IOException {
        Path absent = target.resolveSibling(target.getFileName() + ".absent");
        Optional<Head> head;
        try {
            head = head(url);
        } catch (HubException e) {
            throw e;
        } catch (IOException e) { // unreachable hub: work from the cache when it has everything
            boolean cached = Files.isRegularFile(target);
            if (!cached && !Files.exists(absent)) {
                throw new IOException(label + ": cannot reach the hub (" + e + ") and the file is not in the cache", e);
            }
            System.err.println("kiln: " + label + ": hub unreachable (" + e.getClass().getSimpleName() + "), using the cache");
            return cached;
        }
        if (head.isEmpty()) {
            Files.writeString(absent, url + " answered 404\n"); // remembered, so a cached model also works offline
            return false;
        }
        Files.deleteIfExists(absent);
        long size = head.get().size();
        String sha = head.get().sha256();
        Path shaFile = target.resolveSibling(target.getFileName() + ".sha256");
        if (Files.isRegularFile(target) && (size < 0 || Files.size(target) == size)
                && (sha == null || Files.isRegularFile(shaFile) && Files.readString(shaFile).trim().equals(sha))) {
            return true; // cached
        }
        Path part = target.resolveSibling(target.getFileName() + ".part");
        IOException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                get(url, part, size, label);
                last = null;
                break;
            } catch (HubException e) {
                throw e;
            } catch (IOException e) {
                last = e;
                long have = Files.exists(part) ? Files.size(part) : 0;
                System.err.println("kiln: " + label + ": download interrupted at " + have + " bytes (" + e.getMessage()
                        + ")" + (attempt < ATTEMPTS ? ", resuming" : ""));
            }
        }
        if (last != null) throw new IOException(label + ": download failed after " + ATTEMPTS + " attempts: " + last.getMessage(), last);
        long got = Files.size(part);
        if (size >= 0 && got != size) {
            Files.deleteIfExists(part);
            throw new HubException(label + ": downloaded " + got + " bytes but the hub says " + size + "; the download was removed, run again");
        }
        String actual = sha256(part);
        if (sha != null && !actual.equals(sha)) {
            Files.deleteIfExists(part);
            throw new HubException(label + ": SHA-256 of the download is " + actual + " but the hub says " + sha
                    + ": the file was corrupted in transit and has been removed; run again");
        }
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.writeString(shaFile, actual + "\n");
        return true;
    }

    private Optional<Head> head(URI url) throws IOException {
        HttpResponse<Void> r = send(request(url, true).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
        int s = r.statusCode();
        if (s == 404) return Optional.empty();
        check(url, s);
        if (s != 200 && (s < 300 || s > 399)) throw new IOException(url + ": HEAD answered HTTP " + s);
        HttpHeaders h = r.headers();
        long size = h.firstValueAsLong("x-linked-size").orElse(s == 200 ? h.firstValueAsLong("content-length").orElse(-1) : -1);
        String sha = sha(h.firstValue("x-linked-etag").orElse(null));
        if (sha == null) sha = sha(h.firstValue("etag").orElse(null)); // an LFS file's ETag is its SHA-256 too
        return Optional.of(new Head(size, sha));
    }

    /** GET into {@code part}, resuming from its length; follows redirects itself so the token stays with the hub. */
    private void get(URI url, Path part, long size, String label) throws IOException {
        long have = Files.exists(part) ? Files.size(part) : 0;
        if (size >= 0 && have > size) {
            Files.delete(part);
            have = 0;
        }
        if (size >= 0 && have == size) return;
        URI at = url;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder b = request(at, at.getHost() != null && at.getHost().equals(url.getHost()));
            if (have > 0) b.header("Range", "bytes=" + have + "-");
            HttpResponse<InputStream> r = send(b.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            int s = r.statusCode();
            if (s >= 300 && s <= 399 && r.headers().firstValue("location").isPresent()) {
                r.body().close();
                at = at.resolve(r.headers().firstValue("location").get());
                continue;
            }
            if (s == 416) { // the range starts at or past the end: the part is complete, or stale
                r.body().close();
                if (size >= 0 && have == size) return;
                Files.deleteIfExists(part);
                throw new IOException("the server refused the range bytes=" + have + "-; starting over");
            }
            check(at, s);
            if (s != 200 && s != 206) {
                r.body().close();
                throw new IOException(at + " answered HTTP " + s);
            }
            boolean append = s == 206;
            if (!append) have = 0; // the server sent the whole file
            try (InputStream in = r.body();
                 OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                         append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
                byte[] buf = new byte[1 << 20];
                long done = have;
                for (int n; (n = in.read(buf)) > 0; ) {
                    out.write(buf, 0, n);
                    done += n;
                    progress.update(done, size, label);
                }
                if (size >= 0 && done < size) throw new IOException("connection closed after " + done + " of " + size + " bytes");
            }
            return;
        }
        throw new IOException(url + ": more than " + MAX_REDIRECTS + " redirects");
    }

    private HttpRequest.Builder request(URI url, boolean withToken) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(2)).header("User-Agent", "kiln/0.1");
        if (token != null && withToken) b.header("Authorization", "Bearer " + token);
        return b;
    }

    private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return http.send(req, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private void check(URI url, int status) throws HubException {
        if (status == 401 || status == 403) {
            throw new HubException(url + " answered HTTP " + status + (token == null
                    ? ": the model is gated or private; set HF_TOKEN to a token that may read it"
                    : ": HF_TOKEN may not read this model (accept its licence on the hub, or use another token)"));
        }
    }

    /** A SHA-256 from an ETag header ({@code "…"} or {@code W/"…"}), or null when the ETag is something else. */
    static String sha(String etag) {
        if (etag == null) return null;
        String e = etag.trim();
        if (e.startsWith("W/")) e = e.substring(2);
        e = e.replace("\"", "").toLowerCase(Locale.ROOT);
        return e.matches("[0-9a-f]{64}") ? e : null;
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
