package dev.kiln.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

import static dev.kiln.server.Fixture.header;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Content types, caching, compression and security headers, as a browser sees them. */
class HeadersTest {

    @TempDir
    static Path tmp;
    static Fixture f;

    @BeforeAll
    static void start() throws Exception { f = Fixture.start(tmp); }

    @AfterAll
    static void stop() { f.close(); }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
            "/,                         text/html",
            "/index.html,               text/html",
            "/app.js,                   text/javascript",
            "/app.mjs,                  text/javascript",
            "/style.css,                text/css",
            "/engine.wasm,              application/wasm",
            "/favicon.svg,              image/svg+xml",
            "/data.bin,                 application/octet-stream",
            "/models/tiny/manifest.json, application/json",
    })
    void filesHaveTheirContentType(String path, String type) throws Exception {
        HttpResponse<byte[]> r = f.get(path);
        assertEquals(200, r.statusCode(), path);
        assertTrue(header(r, "Content-Type").startsWith(type), path + " → " + header(r, "Content-Type"));
    }

    @Test
    void shardsAndTokenizersAreOctetStreamAndJson() throws Exception {
        assertEquals("application/octet-stream", header(f.get(f.shardUrl()), "Content-Type"));
        assertEquals("application/json", header(f.get("/models/tiny/" + f.manifest.tokenizer()), "Content-Type"));
    }

    @Test
    void hashNamedFilesAreCachedForeverAndImmutable() throws Exception {
        String immutable = "public, max-age=31536000, immutable";
        assertEquals(immutable, header(f.get(f.shardUrl()), "Cache-Control"));
        assertEquals(immutable, header(f.get("/models/tiny/" + f.manifest.tokenizer()), "Cache-Control"));
        assertEquals(immutable, header(f.get("/lib-0123456789abcdef.js"), "Cache-Control"));
    }

    @Test
    void manifestsPagesAndUnhashedAssetsAreRevalidated() throws Exception {
        for (String p : new String[]{"/models/tiny/manifest.json", "/", "/index.html", "/app.js", "/engine.wasm"}) {
            assertEquals("no-cache", header(f.get(p), "Cache-Control"), p);
        }
        assertEquals("no-cache", header(f.get("/api/models"), "Cache-Control"));
    }

    @Test
    void everyResponseCarriesTheSecurityHeaders() throws Exception {
        for (String p : new String[]{"/", "/app.js", f.shardUrl(), "/api/models", "/missing.html"}) {
            HttpResponse<byte[]> r = f.get(p);
            assertEquals(SecurityHeaders.CSP, header(r, "Content-Security-Policy"), p);
            assertEquals("nosniff", header(r, "X-Content-Type-Options"), p);
            assertEquals("no-referrer", header(r, "Referrer-Policy"), p);
        }
    }

    @Test
    void theCspAllowsOnlyThisOriginAndWasmCompilation() {
        String csp = SecurityHeaders.CSP;
        assertTrue(csp.contains("script-src 'self' 'wasm-unsafe-eval'"), csp);
        assertTrue(csp.contains("frame-ancestors 'none'"), csp);
        assertTrue(csp.contains("default-src 'self'"), csp);
        assertFalse(csp.contains("unsafe-inline"), csp);
        assertFalse(csp.contains("'unsafe-eval'"), csp);
        assertFalse(csp.contains("http"), "no third-party origin: " + csp);
        assertFalse(csp.contains("*"), csp);
    }

    @Test
    void textIsGzippedWhenAcceptedAndDecompressesToTheFile() throws Exception {
        for (String p : new String[]{"/index.html", "/app.js", "/style.css", "/models/tiny/manifest.json"}) {
            HttpResponse<byte[]> r = f.get(p, "Accept-Encoding", "gzip, deflate");
            assertEquals("gzip", header(r, "Content-Encoding"), p);
            assertTrue(header(r, "Vary").contains("Accept-Encoding") || r.headers().allValues("Vary").contains("Accept-Encoding"), p);
            byte[] plain = new GZIPInputStream(new ByteArrayInputStream(r.body())).readAllBytes();
            Path file = p.startsWith("/models/") ? f.model.resolve("manifest.json") : f.site.resolve(p.substring(1));
            assertArrayEquals(Files.readAllBytes(file), plain, p);
            assertEquals(String.valueOf(r.body().length), header(r, "Content-Length"), p);
        }
    }

    @Test
    void textIsNotCompressedWhenTheClientDoesNotAsk() throws Exception {
        assertNull(header(f.get("/app.js"), "Content-Encoding"));
        assertNull(header(f.get("/app.js", "Accept-Encoding", "gzip;q=0, identity"), "Content-Encoding"));
    }

    @Test
    void shardsAreNeverCompressed() throws Exception {
        HttpResponse<byte[]> r = f.get(f.shardUrl(), "Accept-Encoding", "gzip, br, *");
        assertNull(header(r, "Content-Encoding"));
        assertArrayEquals(f.shardBytes(), r.body());
    }

    @Test
    void headGivesTheHeadersOfGetWithoutABody() throws Exception {
        HttpResponse<byte[]> get = f.get(f.shardUrl());
        HttpResponse<byte[]> head = f.send("HEAD", f.shardUrl());
        assertEquals(200, head.statusCode());
        assertEquals(0, head.body().length);
        assertEquals(header(get, "Content-Length"), header(head, "Content-Length"));
        assertEquals(header(get, "ETag"), header(head, "ETag"));
        assertEquals(header(get, "Last-Modified"), header(head, "Last-Modified"));
    }

    @Test
    void theFaviconIcoIsAnEmpty204SoBrowsersLogNo404() throws Exception {
        assertEquals(204, f.get("/favicon.ico").statusCode());
    }

    @Test
    void directoriesAreNeverListed() throws Exception {
        for (String p : new String[]{"/sub", "/sub/", "/models/tiny", "/models/tiny/", "/models", "/models/"}) {
            HttpResponse<byte[]> r = f.get(p);
            assertEquals(404, r.statusCode(), p);
            assertFalse(new String(r.body()).contains("page.html"), p);
        }
        assertEquals(200, f.get("/sub/page.html").statusCode());
    }

    @Test
    void errorsAreJsonWithAMessage() throws Exception {
        HttpResponse<byte[]> r = f.get("/models/nope/manifest.json");
        assertEquals(404, r.statusCode());
        assertEquals("application/json", header(r, "Content-Type"));
        assertTrue(new String(r.body()).matches("\\{\"error\":\".*nope.*\"}"), new String(r.body()));
    }

    @Test
    void otherMethodsAre405() throws Exception {
        HttpResponse<byte[]> r = f.send("POST", "/index.html");
        assertEquals(405, r.statusCode());
        assertTrue(new String(r.body()).contains("\"error\""));
    }

    @Test
    void filesOfAModelThatTheManifestDoesNotNameAreNotServed() throws Exception {
        assertEquals(404, f.get("/models/tiny/notes.txt").statusCode());
    }
}
