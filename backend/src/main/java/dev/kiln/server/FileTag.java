package dev.kiln.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * What the server knows about one file to answer conditional requests: a strong ETag, the modification time and
 * the size, plus (for compressible files) the gzip bytes. Computed once per (path, size, mtime) and cached.
 *
 * <p>ETag: for a hash-named file ({@code shard-00000-<hex>.bin}, {@code tokenizer-<hex>.json}, any
 * {@code name-<16+ hex>.ext}) the content hash in its name; otherwise the first 128 bits of the SHA-256 of the
 * content. Both are strong validators: equal tags mean equal bytes. The gzip variant is a different
 * representation, so it carries its own tag ({@code "<hash>-gzip"}).
 *
 * @param etag         quoted strong ETag of the identity representation
 * @param lastModified modification time, milliseconds, truncated to whole seconds (HTTP dates have no fraction)
 * @param size         bytes
 * @param hashNamed    the name carries the content hash, so the file may be cached forever
 */
public record FileTag(String etag, long lastModified, long size, boolean hashNamed) {

    private static final Pattern HASH_NAME = Pattern.compile(".*-([0-9a-f]{16,64})\\.[A-Za-z0-9]+");
    /** Files up to this size are compressed once and kept in memory. */
    static final long MAX_GZIP_SIZE = 32L << 20;

    private record Cached(long size, long mtime, FileTag tag, byte[][] gzip) {}

    private static final Map<Path, Cached> CACHE = new ConcurrentHashMap<>();

    public String gzipEtag() { return etag.substring(0, etag.length() - 1) + "-gzip\""; }

    public static FileTag of(Path file) throws IOException {
        return cached(file).tag;
    }

    /** The gzip bytes of {@code file}, or null when compressing does not make it smaller. */
    public static byte[] gzip(Path file) throws IOException {
        Cached c = cached(file);
        synchronized (c) {
            if (c.gzip[0] == null) c.gzip[0] = compress(file);
            return c.gzip[0].length == 0 ? null : c.gzip[0];
        }
    }

    private static Cached cached(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        long size = a.size();
        long mtime = a.lastModifiedTime().toMillis();
        Cached c = CACHE.get(file);
        if (c != null && c.size == size && c.mtime == mtime) return c;
        Matcher m = HASH_NAME.matcher(file.getFileName().toString());
        boolean hashNamed = m.matches();
        String hash = hashNamed ? m.group(1) : contentHash(file);
        FileTag tag = new FileTag("\"" + hash + "\"", mtime / 1000 * 1000, size, hashNamed);
        c = new Cached(size, mtime, tag, new byte[1][]);
        CACHE.put(file, c);
        return c;
    }

    private static String contentHash(Path file) throws IOException {
        MessageDigest sha = sha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) sha.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 16);
    }

    private static byte[] compress(Path file) throws IOException {
        byte[] raw = Files.readAllBytes(file);
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 3 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.size() < raw.length ? out.toByteArray() : new byte[0];
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
