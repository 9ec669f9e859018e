package dev.kiln.e2e;

import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import dev.kiln.server.StaticExport;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Self-hosting without Java: what {@code kiln export} writes (backend's {@link StaticExport}, the code the command
 * runs), served by Python's {@code http.server} under a sub-path (/sub/kiln/), with no Range support, no ETags and
 * no CSP: the page lists the model from models.json, downloads it, and generates llama.cpp's greedy tokens.
 */
class ExportedSiteTest {

    @Test
    void theExportedSiteServedByPythonUnderASubPathLoadsAModelAndGeneratesTheGoldenTokens() throws Exception {
        Path dir = Site.sharedModels().resolve("stories260K");
        Path root = Files.createTempDirectory("kiln-export");
        Process python = null;
        try (Site site = new Site(List.of(dir.resolve("stories260K.gguf")))) {
            Path out = root.resolve("sub").resolve("kiln");
            StaticExport.write(site.catalog, Path.of(System.getProperty("kiln.site", "../site/target/site")), out);
            assertTrue(Files.isRegularFile(out.resolve("models.json")), "models.json written");
            assertTrue(Files.isRegularFile(out.resolve("service-worker.js")) && Files.isRegularFile(out.resolve("precache-manifest.js")));

            int port;
            try (ServerSocket s = new ServerSocket(0)) { port = s.getLocalPort(); }
            python = new ProcessBuilder("python3", "-m", "http.server", String.valueOf(port), "--bind", "127.0.0.1",
                    "--directory", root.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String base = "http://127.0.0.1:" + port + "/sub/kiln/";
            waitUntilServing(base);

            try (Chromium chromium = new Chromium()) {
                JsonObject golden = JsonObject.of(JsonObject.of(Json.parse(Files.readString(dir.resolve("stories260K.golden.json"))),
                        "golden").array("cases").get(0), "case 0");
                chromium.driver.get(base + "?request=%7B%22ignore_eos%22%3Atrue%7D");
                chromium.waitFor("document.querySelector('#model option')", Duration.ofMinutes(1));
                assertEquals("models/stories260k/manifest.json", chromium.js("return document.getElementById('model').value;"));
                chromium.js("document.getElementById('load').click();");
                chromium.waitFor("['ready', 'error'].includes(document.getElementById('status').dataset.state)", Duration.ofMinutes(2));
                assertEquals("ready", chromium.js("return document.getElementById('status').dataset.state;"),
                        () -> "load failed: " + chromium.js("return document.getElementById('status').textContent;"));
                chromium.js("document.getElementById('prompt').value = arguments[0];"
                        + "document.getElementById('max-tokens').value = 48;"
                        + "document.getElementById('temperature').value = 0;"
                        + "document.getElementById('generate').click();", golden.string("prompt"));
                chromium.waitFor("['done', 'error'].includes(document.getElementById('status').dataset.state)", Duration.ofMinutes(3));
                // the page's completion: {text, finish_reason, usage, kiln: {prompt_ids, ids, recovered?, …}}
                JsonObject r = JsonObject.of(Json.parse((String) chromium.js("return document.getElementById('output').dataset.result;")), "result").object("kiln");
                assertEquals(GoldenStoryPageTest.ints(golden.array("gen_ids")), GoldenStoryPageTest.ints(r.array("ids")));
                chromium.waitFor("document.documentElement.dataset.offline === 'ready'", Duration.ofSeconds(30));
            }
        } finally {
            if (python != null) python.destroy();
            try (var walk = Files.walk(root)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void waitUntilServing(String url) throws InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        for (int i = 0; i < 100; i++) {
            try {
                if (client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (java.io.IOException notYet) {
                // python is starting
            }
            Thread.sleep(100);
        }
        fail("python3 -m http.server did not answer " + url);
    }
}
