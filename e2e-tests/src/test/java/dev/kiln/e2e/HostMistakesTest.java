package dev.kiln.e2e;

import dev.kiln.server.ModelCatalog;
import dev.kiln.server.ServerConfig;
import dev.kiln.server.StaticExport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * An exported site (no model) on a Python web server that gets a header wrong, as hosts do: the page says what is
 * wrong and how to fix it instead of failing obscurely (site host-check.js, docs/self-hosting.md).
 */
class HostMistakesTest {
    static Path root;
    static Chromium chromium;

    /** Python's http.server with a chosen CSP header ("-": none) and Content-Type for .wasm. */
    static final String SERVER = """
            import functools, http.server, sys
            port, csp, wasm_type, directory = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
            class Handler(http.server.SimpleHTTPRequestHandler):
                extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, '.wasm': wasm_type}
                def end_headers(self):
                    if csp != '-':
                        self.send_header('Content-Security-Policy', csp)
                    super().end_headers()
                def log_message(self, *args):
                    pass
            http.server.ThreadingHTTPServer(('127.0.0.1', port), functools.partial(Handler, directory=directory)).serve_forever()
            """;

    @BeforeAll
    static void export() throws Exception {
        root = Files.createTempDirectory("kiln-hosts");
        StaticExport.write(ModelCatalog.empty(ServerConfig.defaults()),
                Path.of(System.getProperty("kiln.site", "../site/target/site")), root.resolve("site"));
        Files.writeString(root.resolve("server.py"), SERVER);
        chromium = new Chromium();
    }

    @AfterAll
    static void clean() throws Exception {
        if (chromium != null) chromium.close();
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aCspWithoutWasmUnsafeEvalIsNamedWithTheFix() throws Exception {
        String status = statusOn("default-src 'self'; script-src 'self'; worker-src 'self'", "application/wasm");
        assertTrue(status.contains("'wasm-unsafe-eval'") && status.contains("?build=js"), status);
    }

    @Test
    void aWasmFileWithTheWrongContentTypeIsNamedWithTheFix() throws Exception {
        String status = statusOn("-", "application/octet-stream");
        assertTrue(status.contains("application/octet-stream") && status.contains("application/wasm"), status);
    }

    private String statusOn(String csp, String wasmType) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) { port = s.getLocalPort(); }
        Process python = new ProcessBuilder("python3", root.resolve("server.py").toString(), String.valueOf(port), csp,
                wasmType, root.resolve("site").toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String base = "http://127.0.0.1:" + port + "/";
            waitUntilServing(base);
            chromium.driver.get(base + "?build=wasm");
            chromium.waitFor("document.getElementById('status').dataset.state === 'error'", Duration.ofMinutes(1));
            return (String) chromium.js("return document.getElementById('status').textContent;");
        } finally {
            python.destroy();
        }
    }

    static void waitUntilServing(String url) throws InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        for (int i = 0; i < 100; i++) {
            try {
                if (client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (java.io.IOException notYet) {
                // starting
            }
            Thread.sleep(100);
        }
        fail("the test web server did not answer " + url);
    }
}
