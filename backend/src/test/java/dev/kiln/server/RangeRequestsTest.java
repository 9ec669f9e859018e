package dev.kiln.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;

import static dev.kiln.server.Fixture.header;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Range requests on a shard, against a real server (RFC 9110 §14). */
class RangeRequestsTest {

    @TempDir
    static Path tmp;
    static Fixture f;
    static byte[] shard;

    @BeforeAll
    static void start() throws Exception {
        f = Fixture.start(tmp);
        shard = f.shardBytes();
    }

    @AfterAll
    static void stop() { f.close(); }

    private void assertPartial(String range, int first, int last) throws Exception {
        HttpResponse<byte[]> r = f.get(f.shardUrl(), "Range", range);
        assertEquals(206, r.statusCode(), range);
        assertEquals("bytes " + first + "-" + last + "/" + shard.length, header(r, "Content-Range"), range);
        assertEquals(String.valueOf(last - first + 1), header(r, "Content-Length"), range);
        assertArrayEquals(Arrays.copyOfRange(shard, first, last + 1), r.body(), range);
        assertEquals("bytes", header(r, "Accept-Ranges"));
    }

    @Test
    void theFirstByteAloneIsA206WithThatByte() throws Exception {
        assertPartial("bytes=0-0", 0, 0);
    }

    @Test
    void aRangeInTheMiddleReturnsExactlyThoseBytes() throws Exception {
        assertPartial("bytes=1000-2047", 1000, 2047);
    }

    @Test
    void theLastByteAloneIsA206WithThatByte() throws Exception {
        assertPartial("bytes=" + (shard.length - 1) + "-" + (shard.length - 1), shard.length - 1, shard.length - 1);
    }

    @Test
    void anOpenEndedRangeRunsToTheEnd() throws Exception {
        assertPartial("bytes=3000-", 3000, shard.length - 1);
    }

    @Test
    void aSuffixRangeReturnsTheLastNBytes() throws Exception {
        assertPartial("bytes=-100", shard.length - 100, shard.length - 1);
    }

    @Test
    void aSuffixLongerThanTheFileReturnsTheWholeFileAs206() throws Exception {
        assertPartial("bytes=-999999", 0, shard.length - 1);
    }

    @Test
    void anEndPastTheFileIsClampedToTheLastByte() throws Exception {
        assertPartial("bytes=100-99999999", 100, shard.length - 1);
    }

    @Test
    void aRangeStartingPastTheEndIs416WithTheSize() throws Exception {
        HttpResponse<byte[]> r = f.get(f.shardUrl(), "Range", "bytes=" + shard.length + "-");
        assertEquals(416, r.statusCode());
        assertEquals("bytes */" + shard.length, header(r, "Content-Range"));
    }

    @Test
    void aZeroLengthSuffixIsUnsatisfiable() throws Exception {
        assertEquals(416, f.get(f.shardUrl(), "Range", "bytes=-0").statusCode());
    }

    @Test
    void anyRangeOfAnEmptyFileIsUnsatisfiable() throws Exception {
        assertEquals(416, f.get("/empty.txt", "Range", "bytes=0-").statusCode());
    }

    @Test
    void invalidRangeHeadersAreIgnoredAndTheWholeFileIsSent() throws Exception {
        for (String bad : new String[]{"bytes=abc", "bytes=5-2", "items=0-5", "bytes=", "bytes=--5", "bytes=1-2-3"}) {
            HttpResponse<byte[]> r = f.get(f.shardUrl(), "Range", bad);
            assertEquals(200, r.statusCode(), bad);
            assertArrayEquals(shard, r.body(), bad);
            assertNull(header(r, "Content-Range"), bad);
        }
    }

    @Test
    void multipleRangesAreAnsweredWithTheWholeFile() throws Exception {
        HttpResponse<byte[]> r = f.get(f.shardUrl(), "Range", "bytes=0-9,20-29");
        assertEquals(200, r.statusCode());
        assertArrayEquals(shard, r.body());
    }

    @Test
    void headWithARangeGivesThe206HeadersAndNoBody() throws Exception {
        HttpResponse<byte[]> r = f.send("HEAD", f.shardUrl(), "Range", "bytes=10-19");
        assertEquals(206, r.statusCode());
        assertEquals("bytes 10-19/" + shard.length, header(r, "Content-Range"));
        assertEquals("10", header(r, "Content-Length"));
        assertEquals(0, r.body().length);
    }

    @Test
    void rangesWorkOnSiteFilesToo() throws Exception {
        HttpResponse<byte[]> r = f.get("/data.bin", "Range", "bytes=10-13");
        assertEquals(206, r.statusCode());
        assertArrayEquals(new byte[]{(byte) 73, (byte) 80, (byte) 87, (byte) 94}, r.body());
    }

    @Test
    void aRangeIsServedUncompressedEvenWhenGzipIsAccepted() throws Exception {
        HttpResponse<byte[]> r = f.get("/app.js", "Range", "bytes=0-1", "Accept-Encoding", "gzip");
        assertEquals(206, r.statusCode());
        assertNull(header(r, "Content-Encoding"));
        assertEquals("//", new String(r.body()));
    }
}
