package dev.kiln.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests Jetty or Javalin cannot even route (bad escapes beside path parameters) are a 400 logged in one short
 * line, and a flood of them is logged a bounded number of times, not a stack trace per request.
 */
class MalformedRequestsTest {

    @TempDir static Path tmp;
    static Fixture f;

    @BeforeAll
    static void start() throws Exception { f = Fixture.start(tmp); }

    @AfterAll
    static void stop() { f.close(); }

    /** What the server logs to stderr while {@code r} runs. */
    static String stderrDuring(ThrowingRunnable r) throws Exception {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
            Thread.sleep(200); // request logs are written after the response
        } finally {
            System.setErr(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    interface ThrowingRunnable { void run() throws Exception; }

    @Test
    void aBadEscapeAfterAPathParameterIs400InOneLogLine() throws Exception {
        for (String path : List.of("/a;%zz", "/models/tiny/x;%zz", "/a%zz;b", "/;%", "/a;%c0%af")) {
            String[] response = new String[1];
            String log = stderrDuring(() -> response[0] = f.raw(path));
            assertEquals(400, Fixture.rawStatus(response[0]), path + " answered " + response[0]);
            // Jetty itself refuses some of these with its own 400 page; the ones that reach us get our JSON error
            assertTrue(response[0].contains("\"error\"") || response[0].contains("HTTP ERROR 400"), response[0]);
            long lines = log.lines().filter(l -> !l.isBlank()).count();
            assertTrue(lines <= 1 && !log.contains("\tat "), path + " logged " + lines + " lines:\n" + log);
        }
    }

    @Test
    void aFloodOfMalformedRequestsIsLoggedABoundedNumberOfTimes() throws Exception {
        int requests = 200;
        String log = stderrDuring(() -> {
            for (int k = 0; k < requests; k++) assertEquals(400, Fixture.rawStatus(f.raw("/flood" + k + ";%zz")));
        });
        long lines = log.lines().filter(l -> !l.isBlank()).count();
        assertTrue(lines <= RequestGuard.LOG_BURST + 2, requests + " bad requests logged " + lines + " lines:\n" + log);
    }

    @Test
    void aFloodOfRequestsJettyRefusesItselfIsLoggedABoundedNumberOfTimes() throws Exception {
        String log = stderrDuring(() -> {
            for (int k = 0; k < 100; k++) {
                try (java.net.Socket s = new java.net.Socket("127.0.0.1", f.app.port())) {
                    s.setSoTimeout(5000);
                    s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: 127.0.0.1\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                    assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
                }
            }
        });
        long lines = log.lines().filter(l -> !l.isBlank()).count();
        assertTrue(lines <= RequestGuard.LOG_BURST + 2, "100 requests with two Host headers logged " + lines + " lines:\n" + log);
    }
}
