package dev.kiln.sitebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service worker's precache list: every page and engine file with its SHA-256, a version that follows them. */
class PrecacheListTest {

    @Test
    void everyPageAndEngineFileIsListedWithItsSha256AndModelsMapsAndTheWorkerAreNot(@TempDir Path site) throws Exception {
        Files.writeString(site.resolve("index.html"), "<!doctype html>");
        Files.writeString(site.resolve("service-worker.js"), "//");
        Files.writeString(site.resolve("models.json"), "[]");
        Files.createDirectories(site.resolve("engine/js"));
        Files.writeString(site.resolve("engine/js/kiln.js"), "export {}");
        Files.writeString(site.resolve("engine/js/kiln.js.map"), "{}");
        Files.writeString(site.resolve("engine/js/package.json"), "{}");
        Files.createDirectories(site.resolve("models/m"));
        Files.writeString(site.resolve("models/m/manifest.json"), "{}");

        String js = PrecacheList.write(site);

        String sri = "sha256-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest("export {}".getBytes()));
        assertTrue(js.contains("[\"engine/js/kiln.js\", \"" + sri + "\"]"), js);
        assertTrue(js.contains("\"index.html\""), js);
        for (String left : new String[] {"service-worker.js", "models.json", "kiln.js.map", "package.json", "models/m", "precache-manifest.js"}) {
            assertFalse(js.substring(js.indexOf("files:")).contains(left), left + " is not precached: " + js);
        }
        assertEquals(js, Files.readString(site.resolve(PrecacheList.FILE)));
    }

    @Test
    void theVersionChangesWhenAnyListedFileChanges(@TempDir Path site) throws Exception {
        Files.writeString(site.resolve("app.js"), "a");
        String before = PrecacheList.version(PrecacheList.write(site));
        assertEquals(before, PrecacheList.version(PrecacheList.write(site)), "stable when nothing changed");
        Files.writeString(site.resolve("app.js"), "b");
        assertNotEquals(before, PrecacheList.version(PrecacheList.write(site)));
    }
}
