package dev.kiln.server;

import dev.kiln.fuzz.Fuzz;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Fuzz targets of the server's parsers of request input: the path ({@link RequestPath}) and Range ({@link ByteRange}). */
class ServerFuzzTest {

    static String latin1(byte[] b) { return new String(b, StandardCharsets.ISO_8859_1); }

    @Test
    void theRequestPathParserReturnsPlainSegmentsOrThrowsA400Or404() throws Exception {
        List<byte[]> seeds = List.of("/", "/models/tiny/manifest.json", "/sub/page.html", "/%2e%2e/x", "/a%20b/c%C3%A9",
                "/a;b", "/.git/config", "/models/x/").stream().map(Fuzz::utf8).toList();
        List<byte[]> dictionary = List.of("%", "%2e", "%2f", "%5c", "%00", "%c0%af", "..", "/", "//", ";", ":", "\\", "%25")
                .stream().map(Fuzz::utf8).toList();
        Fuzz.run("request-path", seeds, dictionary, b -> {
            try {
                RequestPath p = RequestPath.parse(latin1(b));
                for (String s : p.segments()) {
                    if (s.isEmpty() || s.equals(".") || s.equals("..") || s.startsWith(".") || s.contains("/")
                            || s.contains("\\") || s.contains("\0") || s.contains("%")) {
                        throw new AssertionError("RequestPath let segment '" + s + "' through from " + latin1(b));
                    }
                }
            } catch (HttpError e) {
                if (e.status() != 400 && e.status() != 404) throw new AssertionError("status " + e.status() + " for " + latin1(b));
                throw e;
            }
        }, HttpError.class);
    }

    @Test
    void theRangeParserAnswersARangeInsideTheFileOrWholeOrUnsatisfiable() throws Exception {
        List<byte[]> seeds = List.of("bytes=0-99", "bytes=-500", "bytes=9500-", "bytes=0-0,-1", "BYTES = 5 - 10", "bytes=10-5",
                "bytes=99999999999999999999-").stream().map(Fuzz::utf8).toList();
        Fuzz.run("byte-range", seeds, List.of(Fuzz.utf8("-"), Fuzz.utf8(","), Fuzz.utf8("bytes="), Fuzz.utf8("9223372036854775807")), b -> {
            String header = latin1(b);
            for (long size : new long[] {0, 1, 1000, Long.MAX_VALUE}) {
                if (ByteRange.parse(header, size) instanceof ByteRange.Partial p) {
                    ByteRange r = p.range();
                    if (r.first() < 0 || r.last() < r.first() || r.last() >= size) {
                        throw new AssertionError("range " + r + " outside a file of " + size + " bytes from '" + header + "'");
                    }
                }
            }
        });
    }
}
