package dev.kiln.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Request paths that try to reach outside the site and model roots, sent as raw bytes (an HTTP client would
 * normalize them). Each must be a 400 or 404 and no response may contain a byte of the file outside the roots.
 */
class HostilePathsTest {

    @TempDir
    static Path tmp;
    static Fixture f;

    @BeforeAll
    static void start() throws Exception { f = Fixture.start(tmp); }

    @AfterAll
    static void stop() { f.close(); }

    static List<String> hostilePaths() {
        List<String> p = new ArrayList<>(List.of(
                "/../outside/secret.txt",
                "/../../../../etc/passwd",
                "/sub/../../outside/secret.txt",
                "/%2e%2e/outside/secret.txt",
                "/%2E%2E/outside/secret.txt",
                "/.%2e/outside/secret.txt",
                "/%2e./outside/secret.txt",
                "/%2e%2e%2foutside%2fsecret.txt",
                "/sub%2f..%2f..%2foutside%2fsecret.txt",
                "/%252e%252e/outside/secret.txt",
                "/%252e%252e%252foutside%252fsecret.txt",
                "/..%5coutside%5csecret.txt",
                "/..\\outside\\secret.txt",
                "/sub\\..\\..\\outside\\secret.txt",
                "/%5c..%5coutside%5csecret.txt",
                "//etc/passwd",
                "/" + tmp.resolve("outside/secret.txt"),
                "/C:/Windows/win.ini",
                "/C%3a%5cWindows%5cwin.ini",
                "/..;/outside/secret.txt",
                "/index.html;/../../outside/secret.txt",
                "/sub;x=1/../../outside/secret.txt",
                "/outside%00/secret.txt",
                "/index.html%00.txt",
                "/%00",
                "/escape.txt",
                "/escdir/secret.txt",
                "/.hidden",
                "/%2ehidden",
                "/models/tiny/../../outside/secret.txt",
                "/models/tiny/%2e%2e/%2e%2e/outside/secret.txt",
                "/models/tiny/notes.txt",
                "/models/..%2f..%2foutside/secret.txt",
                "/models/tiny/..%5c..%5coutside%5csecret.txt",
                "/%c0%ae%c0%ae/outside/secret.txt",
                "/%e0%80%ae%e0%80%ae/outside/secret.txt",
                "/%ff/x",
                "/%zz",
                "/%",
                "/./index.html",
                "/" + "a/".repeat(700) + "x"));
        return p;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostilePaths")
    void aHostilePathIsRefusedWithoutLeakingABytes(String path) throws Exception {
        String response = f.raw(path);
        int status = Fixture.rawStatus(response);
        assertTrue(status == 400 || status == 404, path + " → " + status + "\n" + response);
        assertFalse(response.contains(Fixture.SECRET), path + " leaked the secret");
        assertFalse(response.contains("root:"), path + " leaked /etc/passwd");
    }

    @Test
    void theTableHasAtLeastThirtyPaths() {
        assertTrue(hostilePaths().size() >= 30, "size " + hostilePaths().size());
    }

    @Test
    void theSymlinkTargetExistsSoTheRefusalIsNotAnAccident() throws Exception {
        // the files the hostile paths aim at are real: without the checks they would be served
        assertTrue(java.nio.file.Files.readString(f.site.resolve("escape.txt")).contains(Fixture.SECRET));
        assertEquals(200, Fixture.rawStatus(f.raw("/index.html")));
        assertEquals(200, Fixture.rawStatus(f.raw("/sub/page.html")));
        assertEquals(200, Fixture.rawStatus(f.raw("/%69ndex.html")), "plain percent-encoding of a safe name still works");
    }
}
