package dev.kiln.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import static dev.kiln.server.Fixture.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CORS is off by default; with an allow-list only the listed origins get access to models and the API. */
class CorsTest {

    static final String ALLOWED = "https://chat.example.org";

    @Test
    void withCorsOffNoOriginIsGrantedAndPreflightsAreRefused(@TempDir Path tmp) throws Exception {
        try (Fixture f = Fixture.start(tmp)) {
            HttpResponse<byte[]> r = f.get(f.shardUrl(), "Origin", ALLOWED);
            assertEquals(200, r.statusCode());
            assertNull(header(r, "Access-Control-Allow-Origin"));
            assertEquals("same-origin", header(r, "Cross-Origin-Resource-Policy"));
            HttpResponse<byte[]> pre = f.send("OPTIONS", f.shardUrl(), "Origin", ALLOWED, "Access-Control-Request-Method", "GET");
            assertEquals(403, pre.statusCode());
            assertNull(header(pre, "Access-Control-Allow-Origin"));
        }
    }

    @Test
    void anAllowedOriginMayFetchShardsManifestsAndTheApi(@TempDir Path tmp) throws Exception {
        try (Fixture f = Fixture.start(tmp, c -> c.withCorsOrigins(List.of(ALLOWED)))) {
            for (String p : new String[]{f.shardUrl(), "/models/tiny/manifest.json", "/api/models"}) {
                HttpResponse<byte[]> r = f.get(p, "Origin", ALLOWED);
                assertEquals(ALLOWED, header(r, "Access-Control-Allow-Origin"), p);
                assertTrue(header(r, "Access-Control-Expose-Headers").contains("Content-Range"), p);
                assertTrue(r.headers().allValues("Vary").contains("Origin"), p);
            }
            HttpResponse<byte[]> pre = f.send("OPTIONS", f.shardUrl(), "Origin", ALLOWED,
                    "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "range");
            assertEquals(204, pre.statusCode());
            assertEquals(ALLOWED, header(pre, "Access-Control-Allow-Origin"));
            assertTrue(header(pre, "Access-Control-Allow-Headers").contains("Range"));
            assertTrue(header(pre, "Access-Control-Allow-Methods").contains("GET"));
        }
    }

    @Test
    void anOriginNotOnTheListIsNotGranted(@TempDir Path tmp) throws Exception {
        try (Fixture f = Fixture.start(tmp, c -> c.withCorsOrigins(List.of(ALLOWED)))) {
            HttpResponse<byte[]> r = f.get(f.shardUrl(), "Origin", "https://evil.example.com");
            assertNull(header(r, "Access-Control-Allow-Origin"));
            HttpResponse<byte[]> pre = f.send("OPTIONS", f.shardUrl(), "Origin", "https://evil.example.com",
                    "Access-Control-Request-Method", "GET");
            assertEquals(403, pre.statusCode());
            // the site's pages are never shared cross-origin, even with an allowed origin
            assertNull(header(f.get("/index.html", "Origin", ALLOWED), "Access-Control-Allow-Origin"));
        }
    }

    @Test
    void aMalformedOriginInTheConfigurationIsRefusedWithAnExplanation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.defaults().withCorsOrigins(List.of("https://example.org/")));
        assertTrue(e.getMessage().contains("https://example.org/"), e.getMessage());
    }
}
