package dev.kiln.cli;

import dev.kiln.json.JsonException;
import dev.kiln.packager.ModelFormatException;
import dev.kiln.server.PortInUseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code kiln} command line: help, exit codes, and {@code serve}'s lifecycle. */
class KilnCliTest {

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        CommandLine cli = Kiln.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void topLevelHelpListsTheCommandsWithTheirHeaders() {
        Run r = run("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("serve") && r.out().contains("Serve the demo page"), r.out());
        assertTrue(r.out().contains("package") && r.out().contains("Shard and quantize"), r.out());
    }

    @Test
    void versionIsPrinted() {
        Run r = run("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("kiln "), r.out());
    }

    @Test
    void serveHelpDocumentsEveryOption() {
        Run r = run("serve", "--help");
        assertEquals(0, r.code());
        for (String o : new String[]{"--host", "--port", "--model", "--models-dir", "--site-dir", "--cors-origin",
                "--cache-dir", "--verbose", "--help", "--version", "127.0.0.1", "8080"}) {
            assertTrue(r.out().contains(o), "serve --help lacks " + o + ":\n" + r.out());
        }
    }

    @Test
    void noCommandAndUnknownOptionsAreUsageErrors() {
        assertEquals(ExitCodes.USAGE, run().code());
        Run r = run("serve", "--no-such-option");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("--no-such-option"), r.err());
        assertEquals(ExitCodes.USAGE, run("serve", "--port", "eighty").code());
    }

    @Test
    void aTakenPortIsAClearIoErrorWithoutAStackTrace(@TempDir Path tmp) throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            Run r = run("serve", "--port", String.valueOf(port), "--site-dir", tmp.toString(), "--cache-dir", tmp.resolve("c").toString());
            assertEquals(ExitCodes.IO, r.code(), r.err());
            assertTrue(r.err().contains("kiln serve: error: port " + port + " on 127.0.0.1 is already in use"), r.err());
            assertTrue(r.err().contains("--port"), "says what to do: " + r.err());
            assertFalse(r.err().contains("\tat "), "no stack trace without --verbose: " + r.err());
            Run verbose = run("serve", "--verbose", "--port", String.valueOf(port), "--site-dir", tmp.toString());
            assertTrue(verbose.err().contains("\tat "), "a stack trace with --verbose: " + verbose.err());
        }
    }

    @Test
    void anInvalidCorsOriginIsBadInput() {
        Run r = run("serve", "--cors-origin", "example.org", "--port", "0");
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().contains("example.org"), r.err());
    }

    @Test
    void failuresMapToTheDocumentedExitCodes() {
        assertEquals(ExitCodes.BAD_INPUT, ExitCodes.of(new ModelFormatException("bad tensor")));
        assertEquals(ExitCodes.BAD_INPUT, ExitCodes.of(new JsonException("bad manifest")));
        assertEquals(ExitCodes.IO, ExitCodes.of(new IOException("disk")));
        assertEquals(ExitCodes.IO, ExitCodes.of(new PortInUseException("127.0.0.1", 8080, null)));
        assertEquals(ExitCodes.USAGE, ExitCodes.of(new java.nio.file.FileAlreadyExistsException("out")));
        assertEquals(ExitCodes.BUG, ExitCodes.of(new NullPointerException()));
    }

    @Test
    void serveStartsPrintsItsConfigurationAndStopsGracefullyOnSigterm(@TempDir Path tmp) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), Kiln.class.getName(),
                "serve", "--port", "0", "--site-dir", tmp.toString(), "--cache-dir", tmp.resolve("c").toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuffer log = new StringBuffer();
        java.util.concurrent.CountDownLatch listening = new java.util.concurrent.CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    log.append(line).append('\n');
                    if (line.contains("listening on")) listening.countDown();
                }
            } catch (IOException e) {
                log.append("(output ended: ").append(e).append(")\n");
            }
        });
        reader.start();
        try {
            assertTrue(listening.await(60, TimeUnit.SECONDS), "no 'listening on' line:\n" + log);
            assertTrue(log.toString().contains("listening on http://127.0.0.1:"), log.toString());
            assertTrue(log.toString().contains("cors origins: (off)"), "prints the effective configuration:\n" + log);
            p.toHandle().destroy(); // SIGTERM (Process.destroy would also close our end of its output)
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stopped within 30 s");
            reader.join(10_000);
        } finally {
            p.destroyForcibly();
        }
        assertTrue(log.toString().contains("stopping"), log.toString());
        assertEquals(143, p.exitValue(), "terminated by SIGTERM, after the shutdown hook ran:\n" + log);
    }
}
