package dev.kiln.server;

import dev.kiln.packager.hub.Hub;
import io.javalin.Javalin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin API over real HTTP: off without a token (404), 401 without the right one, 403 for inputs outside the
 * allowed folders, and a packaging job whose Server-Sent Events end in {@code done} (the model is then listed and
 * served) or {@code error}.
 */
class AdminApiTest {

    static final String TOKEN = "test-admin-token-0123456789abcdef";
    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir Path tmp;
    Javalin app;
    String base;

    /** One server-sent event as received. */
    record Event(String name, JsonNode data) {}

    @AfterEach
    void stop() {
        if (app != null) app.stop();
    }

    /** Starts a server with the admin API on (token non-null), models dir tmp/models and admin root tmp/uploads. */
    private void start(String token, URI hub) throws Exception {
        Path models = Files.createDirectories(tmp.resolve("models"));
        Path uploads = Files.createDirectories(tmp.resolve("uploads"));
        ServerConfig config = ServerConfig.defaults().withPort(0).withSiteDir(tmp.resolve("no-site"))
                .withModels(List.of(), List.of(models)).withCacheDir(tmp.resolve("cache"))
                .withHub(new Hub.Options(hub != null ? hub : URI.create("http://127.0.0.1:9"), null, tmp.resolve("hub")))
                .withAdmin(token, List.of(uploads));
        app = Server.start(Server.create(config), config);
        base = "http://127.0.0.1:" + app.port();
    }

    private HttpResponse<String> post(String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/admin/models"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return Fixture.CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postInput(String input) throws Exception {
        return post(JSON.writeValueAsString(Map.of("input", input)), "Authorization", "Bearer " + TOKEN);
    }

    /** Reads the job's whole event stream (it ends after done or error). */
    private List<Event> events(String eventsUrl) {
        return assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + eventsUrl))
                    .header("Authorization", "Bearer " + TOKEN).header("Accept", "text/event-stream").build();
            HttpResponse<Stream<String>> r = Fixture.CLIENT.send(req, HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"), r.headers().toString());
            List<Event> out = new ArrayList<>();
            String name = null;
            StringBuilder data = new StringBuilder();
            for (String line : (Iterable<String>) r.body()::iterator) {
                if (line.startsWith("event:")) name = line.substring(6).strip();
                else if (line.startsWith("data:")) data.append(line.substring(5).strip());
                else if (line.isEmpty() && name != null) {
                    out.add(new Event(name, JSON.readTree(data.toString())));
                    name = null;
                    data.setLength(0);
                }
            }
            return out;
        });
    }

    private String submitted(HttpResponse<String> r) throws Exception {
        assertEquals(202, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        String url = body.get("events_url").asString();
        assertEquals(url, r.headers().firstValue("Location").orElse(null));
        assertEquals("/api/admin/jobs/" + body.get("job").asString() + "/events", url);
        return url;
    }

    private static String error(HttpResponse<String> r) throws Exception {
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse("").replaceFirst(";.*", ""));
        return JSON.readTree(r.body()).get("error").asString();
    }

    @Test
    void withoutATokenTheAdminApiDoesNotExist() throws Exception {
        start(null, null);
        HttpResponse<String> r = post("{\"input\": \"x\"}", "Authorization", "Bearer " + TOKEN);
        assertEquals(404, r.statusCode());
        assertTrue(error(r).contains("admin API is off"), r.body());
        HttpResponse<String> events = Fixture.CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/api/admin/jobs/0123456789abcdef/events"))
                .header("Authorization", "Bearer " + TOKEN).header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, events.statusCode());
    }

    @Test
    void aMissingOrWrongTokenIs401() throws Exception {
        start(TOKEN, null);
        HttpResponse<String> none = post("{\"input\": \"x\"}");
        assertEquals(401, none.statusCode());
        assertTrue(error(none).contains("Authorization: Bearer"), none.body());
        assertEquals("Bearer realm=\"kiln-admin\"", none.headers().firstValue("WWW-Authenticate").orElse(null));
        for (String auth : List.of("Bearer wrong-token-0123456789abcdef", "Bearer " + TOKEN + "x", "Bearer " + TOKEN.substring(1),
                "Basic " + TOKEN, TOKEN, "Bearer ")) {
            HttpResponse<String> r = post("{\"input\": \"x\"}", "Authorization", auth);
            assertEquals(401, r.statusCode(), auth);
        }
        HttpResponse<String> events = Fixture.CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/api/admin/jobs/0123456789abcdef/events"))
                .header("Authorization", "Bearer nope").header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, events.statusCode());
    }

    @Test
    void inputsOutsideTheAllowedFoldersAre403() throws Exception {
        start(TOKEN, null);
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("model.gguf"), "x");
        Files.createSymbolicLink(tmp.resolve("models/escape.gguf"), outside.resolve("model.gguf"));
        Files.createSymbolicLink(tmp.resolve("uploads/escdir"), outside);
        for (String input : List.of(outside.resolve("model.gguf").toString(), "../outside/model.gguf",
                tmp.resolve("models/../outside/model.gguf").toString(), "/etc/passwd", "escape.gguf", "escdir/model.gguf",
                tmp.resolve("uploads/escdir/model.gguf").toString())) {
            HttpResponse<String> r = postInput(input);
            assertEquals(403, r.statusCode(), input + ": " + r.body());
            assertTrue(error(r).contains("outside") || error(r).contains("leads outside"), r.body());
        }
        assertEquals(404, postInput("no-such-model.gguf").statusCode());
        assertEquals(400, post("{\"path\": \"x\"}", "Authorization", "Bearer " + TOKEN).statusCode());
        assertEquals(400, post("not json", "Authorization", "Bearer " + TOKEN).statusCode());
        assertEquals(400, postInput("hf:not a hub id").statusCode());
    }

    @Test
    void aGoodRequestStreamsProgressThenDoneAndTheModelIsServed() throws Exception {
        Path hf = SharedModels.stories260KHf();
        start(TOKEN, null);
        Archives.copyFolder(hf, tmp.resolve("uploads/story-hf"));
        assertEquals("[]", new String(PackagingOnStartTest.get(base + "/api/models").body()), "nothing served before the job");

        List<Event> events = events(submitted(postInput("story-hf")));
        assertEquals("progress", events.get(0).name());
        assertEquals("queued", events.get(0).data().get("phase").asString());
        Event last = events.get(events.size() - 1);
        assertEquals("done", last.name(), events.toString());
        assertEquals("story-hf", last.data().get("id").asString());
        assertEquals("/models/story-hf/manifest.json", last.data().get("manifest_url").asString());
        assertEquals("packaged", last.data().get("outcome").asString());
        List<JsonNode> packaging = events.stream().filter(e -> e.name().equals("progress"))
                .map(Event::data).filter(d -> d.get("phase").asString().equals("packaging")).toList();
        assertEquals(47, packaging.size(), "one event per tensor of this tiny model");
        JsonNode end = packaging.get(packaging.size() - 1);
        assertEquals(47, end.get("tensors_done").asInt());
        assertEquals(47, end.get("tensors_total").asInt());
        assertEquals(end.get("bytes_total").asLong(), end.get("bytes_done").asLong());

        assertEquals(List.of("story-hf"), PackagingOnStartTest.verifyServed(base));

        // the same input again: the package is found and the model is the same one
        List<Event> again = events(submitted(postInput(tmp.resolve("uploads/story-hf").toString())));
        assertEquals("done", again.get(again.size() - 1).name(), again.toString());
        assertEquals("story-hf", again.get(again.size() - 1).data().get("id").asString());
        assertEquals("reused package", again.get(again.size() - 1).data().get("outcome").asString());
        assertEquals(List.of("story-hf"), PackagingOnStartTest.verifyServed(base));
    }

    @Test
    void aHubIdIsPackagedThroughTheAdminApi() throws Exception {
        Path hf = SharedModels.stories260KHf();
        try (LocalHub hub = new LocalHub("kiln-test", "stories260K", "main", hf)) {
            start(TOKEN, hub.url());
            List<Event> events = events(submitted(postInput("hf:kiln-test/stories260K")));
            assertEquals("done", events.get(events.size() - 1).name(), events.toString());
            assertTrue(events.stream().anyMatch(e -> e.name().equals("progress") && e.data().get("phase").asString().equals("download")
                    && e.data().get("item").asString().endsWith("model.safetensors")), events.toString());
            assertEquals(List.of("stories260k"), PackagingOnStartTest.verifyServed(base));
        }
    }

    @Test
    void aFailingInputEndsInAnErrorEventAndServesNothing() throws Exception {
        start(TOKEN, null);
        Files.writeString(tmp.resolve("uploads/garbage.gguf"), "this is not a GGUF file at all");
        List<Event> events = events(submitted(postInput("garbage.gguf")));
        Event last = events.get(events.size() - 1);
        assertEquals("error", last.name(), events.toString());
        assertTrue(last.data().get("message").asString().contains("not a GGUF file"), last.toString());
        assertEquals(0, JSON.readTree(PackagingOnStartTest.get(base + "/api/models").body()).size());
        // a stream asked for without Accept: text/event-stream is refused with a reason
        HttpResponse<String> plain = Fixture.CLIENT.send(HttpRequest.newBuilder(URI.create(base + submitted(postInput("garbage.gguf"))))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(406, plain.statusCode());
        HttpResponse<String> unknown = Fixture.CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/api/admin/jobs/ffffffffffffffff/events"))
                .header("Authorization", "Bearer " + TOKEN).header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, unknown.statusCode());
        assertNotNull(error(unknown));
    }
}
