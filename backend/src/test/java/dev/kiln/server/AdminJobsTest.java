package dev.kiln.server;

import dev.kiln.packager.hub.Hub;
import io.javalin.Javalin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Admin jobs cannot block the worker forever: FIFOs and other special files are refused, a job can be cancelled
 * with DELETE (the queue then moves on), a job past its timeout is cancelled, and GET reports each job's state.
 */
class AdminJobsTest {
    static final String TOKEN = AdminApiTest.TOKEN;
    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir Path tmp;
    Javalin app;
    String base;
    Path uploads;
    /** A hub that accepts connections and never answers: a job downloading from it hangs. */
    ServerSocket stalledHub;
    final List<Socket> held = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        if (app != null) app.stop();
        if (stalledHub != null) stalledHub.close();
        for (Socket s : held) s.close();
        System.clearProperty("kiln.admin.jobTimeoutSeconds");
    }

    void start() throws Exception {
        stalledHub = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(() -> {
            try {
                while (true) {
                    Socket s = stalledHub.accept();
                    synchronized (held) { held.add(s); }
                }
            } catch (IOException closed) { /* test over */ }
        });
        accept.setDaemon(true);
        accept.start();
        uploads = Files.createDirectories(tmp.resolve("uploads"));
        ServerConfig config = ServerConfig.defaults().withPort(0).withSiteDir(tmp.resolve("no-site"))
                .withCacheDir(tmp.resolve("cache"))
                .withHub(new Hub.Options(URI.create("http://127.0.0.1:" + stalledHub.getLocalPort()), null, tmp.resolve("hub")))
                .withAdmin(TOKEN, List.of(uploads));
        app = Server.start(Server.create(config), config);
        base = "http://127.0.0.1:" + app.port();
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + TOKEN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return Fixture.CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    String submit(String input) throws Exception {
        HttpResponse<String> r = send("POST", AdminApi.MODELS, JSON.writeValueAsString(Map.of("input", input)));
        assertEquals(202, r.statusCode(), r.body());
        return JSON.readTree(r.body()).get("job").asString();
    }

    JsonNode state(String job) throws Exception {
        HttpResponse<String> r = send("GET", "/api/admin/jobs/" + job, null);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    JsonNode awaitState(String job, String want, long millis) throws Exception {
        long end = System.currentTimeMillis() + millis;
        JsonNode s = state(job);
        while (!s.get("state").asString().equals(want) && System.currentTimeMillis() < end) {
            Thread.sleep(50);
            s = state(job);
        }
        assertEquals(want, s.get("state").asString(), s.toString());
        return s;
    }

    @Test
    void aFifoInputIsRefusedBeforeAnyJobStarts() throws Exception {
        start();
        Path fifo = uploads.resolve("model.gguf");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(p.waitFor() == 0 && Files.exists(fifo), "mkfifo is not available here");
        HttpResponse<String> r = send("POST", AdminApi.MODELS, "{\"input\": \"model.gguf\"}");
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("not a regular file"), r.body());
    }

    @Test
    void aRunningJobIsCancelledByDeleteAndTheQueueMovesOn() throws Exception {
        start();
        Files.copy(SharedModels.stories260K(), uploads.resolve("stories.gguf"));
        String hung = submit("hf:kiln-test/never-answers");
        String next = submit("stories.gguf");
        awaitState(hung, "running", 10_000);
        assertEquals("queued", state(next).get("state").asString());

        HttpResponse<String> d = send("DELETE", "/api/admin/jobs/" + hung, null);
        assertEquals(200, d.statusCode(), d.body());
        assertEquals("cancelled", JSON.readTree(d.body()).get("state").asString());
        assertTrue(JSON.readTree(d.body()).get("message").asString().contains("cancelled by DELETE"), d.body());
        awaitState(next, "done", 60_000);
    }

    @Test
    void aJobPastItsTimeoutIsCancelled() throws Exception {
        System.setProperty("kiln.admin.jobTimeoutSeconds", "1");
        start();
        String hung = submit("hf:kiln-test/never-answers");
        JsonNode s = awaitState(hung, "cancelled", 15_000);
        assertTrue(s.get("message").asString().contains("timed out"), s.toString());
    }
}
