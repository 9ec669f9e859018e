package dev.kiln.server;

import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Sends one file the way caches and range-reading loaders expect (RFC 9110 §13 and §14, RFC 9111):
 *
 * <pre>
 *   1. If-Match (strong) fails, or If-Unmodified-Since is older than the file      → 412
 *   2. If-None-Match matches (weak comparison, either representation's tag)        → 304
 *      else, only without If-None-Match, If-Modified-Since not older than the file → 304
 *   3. Range, honoured only when If-Range is absent or names this exact version:
 *      one satisfiable range → 206 + Content-Range;  unsatisfiable → 416 + Content-Range: bytes *&#47;size
 *   4. otherwise 200, gzip-compressed when the client accepts gzip and the type is text or Wasm
 * </pre>
 * Every answer carries ETag, Last-Modified, Cache-Control ({@code immutable} for hash-named files, {@code no-cache}
 * for the rest so pages and manifests revalidate) and Accept-Ranges. HEAD gets the same headers without a body.
 */
public final class FileResponder {

    static final String IMMUTABLE = "public, max-age=31536000, immutable";
    static final String REVALIDATE = "no-cache";
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private FileResponder() {}

    public static void send(Context ctx, Path file, boolean head) throws IOException {
        FileTag tag = FileTag.of(file);
        String type = ContentTypes.of(file.getFileName().toString());
        boolean compressible = ContentTypes.compressible(type);
        HttpServletResponse res = ctx.res();

        res.setHeader("Cache-Control", tag.hashNamed() ? IMMUTABLE : REVALIDATE);
        res.setHeader("Last-Modified", httpDate(tag.lastModified()));
        res.setHeader("Accept-Ranges", "bytes");
        if (compressible) res.addHeader("Vary", "Accept-Encoding");

        String ifMatch = ctx.header("If-Match");
        if (ifMatch != null ? !matches(ifMatch, tag, false) : notModifiedSince(ctx.header("If-Unmodified-Since"), tag) == Boolean.FALSE) {
            res.setHeader("ETag", tag.etag());
            throw new HttpError(412, "the file changed: If-Match / If-Unmodified-Since does not hold");
        }

        String ifNoneMatch = ctx.header("If-None-Match");
        boolean notModified = ifNoneMatch != null
                ? matches(ifNoneMatch, tag, true)
                : notModifiedSince(ctx.header("If-Modified-Since"), tag) == Boolean.TRUE;
        boolean gzip = compressible && acceptsGzip(ctx.header("Accept-Encoding")) && ctx.header("Range") == null;
        byte[] gz = gzip && tag.size() <= FileTag.MAX_GZIP_SIZE ? FileTag.gzip(file) : null;

        if (notModified) {
            res.setHeader("ETag", gz != null ? tag.gzipEtag() : tag.etag());
            res.setStatus(304);
            return;
        }

        ByteRange.Request range = ifRangeHolds(ctx.header("If-Range"), tag)
                ? ByteRange.parse(ctx.header("Range"), tag.size()) : new ByteRange.Whole();
        res.setContentType(type);
        if (range instanceof ByteRange.Unsatisfiable) {
            res.setHeader("ETag", tag.etag());
            res.setHeader("Content-Range", "bytes */" + tag.size());
            throw new HttpError(416, "range '" + ctx.header("Range") + "' is outside the file's "
                    + tag.size() + " bytes");
        }
        if (range instanceof ByteRange.Partial p) {
            res.setHeader("ETag", tag.etag());
            res.setStatus(206);
            res.setHeader("Content-Range", p.range().contentRange(tag.size()));
            res.setContentLengthLong(p.range().length());
            if (!head) copy(file, p.range().first(), p.range().length(), res);
            return;
        }
        res.setStatus(200);
        if (gz != null) {
            res.setHeader("ETag", tag.gzipEtag());
            res.setHeader("Content-Encoding", "gzip");
            res.setContentLengthLong(gz.length);
            if (!head) write(gz, res);
        } else {
            res.setHeader("ETag", tag.etag());
            res.setContentLengthLong(tag.size());
            if (!head) copy(file, 0, tag.size(), res);
        }
    }

    /** If-Match / If-None-Match: "*" or a list of entity tags; If-Match compares strongly, If-None-Match weakly. */
    static boolean matches(String header, FileTag tag, boolean weak) {
        for (String part : header.split(",")) {
            String t = part.trim();
            if (t.equals("*")) return true;
            if (t.startsWith("W/")) {
                if (!weak) continue;
                t = t.substring(2);
            }
            if (t.equals(tag.etag()) || t.equals(tag.gzipEtag())) return true;
        }
        return false;
    }

    /** TRUE when the file is not newer than the date, FALSE when it is, null when there is no valid date. */
    private static Boolean notModifiedSince(String date, FileTag tag) {
        Long since = parseDate(date);
        return since == null ? null : tag.lastModified() <= since;
    }

    /** If-Range: a strong ETag equal to the identity tag, or a date equal to Last-Modified (RFC 9110 §13.1.5). */
    private static boolean ifRangeHolds(String ifRange, FileTag tag) {
        if (ifRange == null) return true;
        String v = ifRange.trim();
        if (v.startsWith("\"") || v.startsWith("W/")) return v.equals(tag.etag());
        Long date = parseDate(v);
        return date != null && date == tag.lastModified();
    }

    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) return false;
        for (String part : acceptEncoding.split(",")) {
            String[] p = part.trim().split(";");
            String coding = p[0].trim().toLowerCase(Locale.ROOT);
            if (!coding.equals("gzip") && !coding.equals("*")) continue;
            boolean refused = false;
            for (int i = 1; i < p.length; i++) {
                String q = p[i].trim().replace(" ", "");
                if (q.startsWith("q=")) {
                    try {
                        refused = Double.parseDouble(q.substring(2)) <= 0;
                    } catch (NumberFormatException e) {
                        refused = true;
                    }
                }
            }
            if (coding.equals("gzip")) return !refused;
            if (!refused) return true;
        }
        return false;
    }

    static String httpDate(long millis) { return HTTP_DATE.format(Instant.ofEpochMilli(millis)); }

    private static Long parseDate(String s) {
        if (s == null) return null;
        try {
            return ZonedDateTime.parse(s.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static void write(byte[] bytes, HttpServletResponse res) throws IOException {
        try {
            res.getOutputStream().write(bytes);
        } catch (IOException e) {
            clientGone(e);
        }
    }

    /** One copy buffer per server thread, reused: serving allocates nothing per request in proportion to the file. */
    private static final ThreadLocal<ByteBuffer> BUFFER = ThreadLocal.withInitial(() -> ByteBuffer.allocate(128 << 10));

    /** Streams {@code length} bytes from {@code offset} through a 128 KiB buffer: memory stays flat whatever the file. */
    private static void copy(Path file, long offset, long length, HttpServletResponse res) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            OutputStream out = res.getOutputStream();
            ByteBuffer buf = BUFFER.get();
            long pos = offset;
            long end = offset + length;
            while (pos < end) {
                buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
                int n = ch.read(buf, pos);
                if (n < 0) throw new IOException(file + " shrank while being sent");
                try {
                    out.write(buf.array(), 0, n);
                } catch (IOException e) {
                    clientGone(e);
                    return;
                }
                pos += n;
            }
        }
    }

    /** A client that closes the connection mid-download is normal (a cancelled load); nothing to report. */
    private static void clientGone(IOException e) {
        Server.LOG.debug("client went away: {}", e.toString());
    }
}
