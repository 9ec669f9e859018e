package dev.kiln.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server bound to 127.0.0.1 answers only requests whose Host is a loopback name or address, or an allowed host:
 * a page on evil.example whose name was rebound to 127.0.0.1 must not read the models or the admin API.
 */
class DnsRebindingTest {

    @TempDir static Path tmp;
    static Fixture f;

    @BeforeAll
    static void start() throws Exception { f = Fixture.start(tmp, c -> c.withAllowedHosts(List.of("kiln.lan"))); }

    @AfterAll
    static void stop() { f.close(); }

    static String withHost(String host, String path) throws IOException {
        try (Socket s = new Socket("127.0.0.1", f.app.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            return all.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void loopbackNamesAndAddressesAreAnswered() throws IOException {
        int port = f.app.port();
        for (String host : List.of("127.0.0.1:" + port, "localhost:" + port, "LOCALHOST", "app.localhost:" + port,
                "[::1]:" + port, "127.1.2.3", "localhost.")) {
            assertEquals(200, Fixture.rawStatus(withHost(host, "/api/models")), host);
        }
    }

    @Test
    void anAllowedHostIsAnswered() throws IOException {
        assertEquals(200, Fixture.rawStatus(withHost("kiln.lan:" + f.app.port(), "/api/models")));
    }

    @Test
    void aForeignHostGets403AndNoModelBytes() throws Exception {
        for (String host : List.of("evil.example", "evil.example:" + f.app.port(), "127.0.0.1.evil.example",
                "localhost.evil.example", "[::2]", "0.0.0.0")) {
            String[] response = new String[1];
            String log = MalformedRequestsTest.stderrDuring(() -> response[0] = withHost(host, f.shardUrl()));
            assertEquals(403, Fixture.rawStatus(response[0]), host);
            assertTrue(response[0].contains("--allowed-host"), response[0]);
            assertFalse(response[0].contains("application/octet-stream"), response[0]);
            assertTrue(log.lines().filter(l -> !l.isBlank()).count() <= 1 && log.contains(host), host + " logged:\n" + log);
        }
    }
}
