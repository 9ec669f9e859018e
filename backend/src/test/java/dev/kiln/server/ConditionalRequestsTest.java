package dev.kiln.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;

import static dev.kiln.server.Fixture.header;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ETag, Last-Modified and the conditional headers that use them (RFC 9110 §13). */
class ConditionalRequestsTest {

    @TempDir
    static Path tmp;
    static Fixture f;

    @BeforeAll
    static void start() throws Exception { f = Fixture.start(tmp); }

    @AfterAll
    static void stop() { f.close(); }

    @Test
    void aShardsEtagIsTheContentHashInItsName() throws Exception {
        HttpResponse<byte[]> r = f.get(f.shardUrl());
        String hash = f.manifest.shards().get(0).sha256().substring(0, 16);
        assertEquals("\"" + hash + "\"", header(r, "ETag"));
        assertEquals(hash, Fixture.sha256(r.body()).substring(0, 16), "the tag names these very bytes");
    }

    @Test
    void aSiteFilesEtagIsAStrongContentHashThatChangesWithTheContent() throws Exception {
        Path p = f.site.resolve("changing.txt");
        Files.writeString(p, "one");
        String first = header(f.get("/changing.txt"), "ETag");
        Files.writeString(p, "two");
        Files.setLastModifiedTime(p, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        String second = header(f.get("/changing.txt"), "ETag");
        assertTrue(first.startsWith("\"") && !first.startsWith("W/"), first);
        assertNotEquals(first, second);
    }

    @Test
    void ifNoneMatchWithTheCurrentEtagIs304WithoutABody() throws Exception {
        String etag = header(f.get(f.shardUrl()), "ETag");
        HttpResponse<byte[]> r = f.get(f.shardUrl(), "If-None-Match", etag);
        assertEquals(304, r.statusCode());
        assertEquals(0, r.body().length);
        assertEquals(etag, header(r, "ETag"));
    }

    @Test
    void ifNoneMatchComparesWeaklyAndAcceptsLists() throws Exception {
        String etag = header(f.get(f.shardUrl()), "ETag");
        assertEquals(304, f.get(f.shardUrl(), "If-None-Match", "\"other\", W/" + etag).statusCode());
        assertEquals(304, f.get(f.shardUrl(), "If-None-Match", "*").statusCode());
    }

    @Test
    void ifNoneMatchWithAnotherEtagSendsTheFile() throws Exception {
        HttpResponse<byte[]> r = f.get(f.shardUrl(), "If-None-Match", "\"0000000000000000\"");
        assertEquals(200, r.statusCode());
        assertArrayEquals(f.shardBytes(), r.body());
    }

    @Test
    void theGzipVariantsEtagAlsoRevalidates() throws Exception {
        HttpResponse<byte[]> gz = f.get("/app.js", "Accept-Encoding", "gzip");
        assertEquals("gzip", header(gz, "Content-Encoding"));
        assertEquals(304, f.get("/app.js", "Accept-Encoding", "gzip", "If-None-Match", header(gz, "ETag")).statusCode());
    }

    @Test
    void ifModifiedSinceAtTheLastModifiedDateIs304() throws Exception {
        String lastModified = header(f.get("/index.html"), "Last-Modified");
        assertNotNull(lastModified);
        assertEquals(304, f.get("/index.html", "If-Modified-Since", lastModified).statusCode());
    }

    @Test
    void ifModifiedSinceBeforeTheLastModifiedDateSendsTheFile() throws Exception {
        assertEquals(200, f.get("/index.html", "If-Modified-Since", "Thu, 01 Jan 1998 00:00:00 GMT").statusCode());
    }

    @Test
    void ifNoneMatchTakesPrecedenceOverIfModifiedSince() throws Exception {
        String lastModified = header(f.get("/index.html"), "Last-Modified");
        HttpResponse<byte[]> r = f.get("/index.html", "If-None-Match", "\"stale\"", "If-Modified-Since", lastModified);
        assertEquals(200, r.statusCode());
    }

    @Test
    void anUnparsableIfModifiedSinceIsIgnored() throws Exception {
        assertEquals(200, f.get("/index.html", "If-Modified-Since", "yesterday").statusCode());
    }

    @Test
    void ifRangeWithTheCurrentEtagHonoursTheRange() throws Exception {
        String etag = header(f.get(f.shardUrl()), "ETag");
        HttpResponse<byte[]> r = f.get(f.shardUrl(), "Range", "bytes=5-9", "If-Range", etag);
        assertEquals(206, r.statusCode());
        assertArrayEquals(Arrays.copyOfRange(f.shardBytes(), 5, 10), r.body());
    }

    @Test
    void ifRangeWithAnOldEtagSendsTheWholeNewFile() throws Exception {
        HttpResponse<byte[]> r = f.get(f.shardUrl(), "Range", "bytes=5-9", "If-Range", "\"0000000000000000\"");
        assertEquals(200, r.statusCode());
        assertArrayEquals(f.shardBytes(), r.body());
    }

    @Test
    void ifRangeWithTheLastModifiedDateHonoursTheRangeAndAnOlderDateDoesNot() throws Exception {
        String lastModified = header(f.get("/data.bin"), "Last-Modified");
        assertEquals(206, f.get("/data.bin", "Range", "bytes=0-3", "If-Range", lastModified).statusCode());
        assertEquals(200, f.get("/data.bin", "Range", "bytes=0-3", "If-Range", "Thu, 01 Jan 1998 00:00:00 GMT").statusCode());
    }

    @Test
    void ifMatchWithAnotherEtagIs412() throws Exception {
        assertEquals(412, f.get(f.shardUrl(), "If-Match", "\"0000000000000000\"").statusCode());
        String etag = header(f.get(f.shardUrl()), "ETag");
        assertEquals(200, f.get(f.shardUrl(), "If-Match", etag).statusCode());
    }
}
