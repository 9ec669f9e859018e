package dev.kiln.e2e;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A new site version while a page is open: the browser installs the new service worker beside the old one, the page
 * offers the update, and applying it switches page and engine to the new version and deletes the old cache.
 */
class ServiceWorkerUpdateTest {

    @Test
    void aNewVersionIsOfferedAndApplyingItLeavesOnlyItsCache() throws Exception {
        Path copy = Files.createTempDirectory("kiln-site-copy");
        try {
            copyTree(Site.builtSite(), copy);
            try (Site site = new Site(List.of(), copy); Chromium chromium = new Chromium()) {
                chromium.driver.get(site.url("/"));
                chromium.waitFor("document.documentElement.dataset.offline === 'ready'", Duration.ofSeconds(30));
                String first = caches(chromium);
                assertTrue(first.startsWith("kiln-site-") && !first.contains(","), first);

                // a new release: the build writes a new precache list (files and hashes kept valid here, the version new)
                Path list = copy.resolve("precache-manifest.js");
                Files.writeString(list, Files.readString(list).replaceFirst("version: '[0-9a-f]+'", "version: 'next'"));
                chromium.driver.navigate().refresh();
                chromium.waitFor("document.querySelector('#offline button')", Duration.ofSeconds(30));
                assertTrue(((String) chromium.js("return document.getElementById('offline').textContent;")).contains("new version"));

                chromium.js("document.querySelector('#offline button').click();");
                chromium.waitFor("document.documentElement.dataset.offline === 'ready' && !document.querySelector('#offline button')", Duration.ofSeconds(30));
                Thread.sleep(500);
                assertEquals("kiln-site-next", caches(chromium), "only the new version's cache is left");
            }
        } finally {
            try (var walk = Files.walk(copy)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The page's site caches (kiln-site-<version>), sorted, comma-separated. */
    private static String caches(Chromium chromium) {
        return String.valueOf(chromium.driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "caches.keys().then((k) => done(k.filter((n) => n.startsWith('kiln-site-')).sort().join(',')));"));
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }
}
