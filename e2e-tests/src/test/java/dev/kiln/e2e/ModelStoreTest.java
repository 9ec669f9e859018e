package dev.kiln.e2e;

import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The browser's model store (site model-store.js + the engine's Store), the offline service worker and device-loss
 * recovery, in real headless Chromium against the real backend behind a counting proxy on loopback (the page's
 * origin: each test gets a fresh proxy port, so a fresh origin with an empty store). The model is stories260K (F32,
 * one shard); answers are compared with llama.cpp's greedy tokens (../shared/models/stories260K/*.golden.json).
 */
class ModelStoreTest {
    static Site site;
    static Chromium chromium;
    static Path dir;
    static JsonObject golden;
    CountingProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        dir = Site.sharedModels().resolve("stories260K");
        site = new Site(List.of(dir.resolve("stories260K.gguf")));
        golden = JsonObject.of(JsonObject.of(Json.parse(Files.readString(dir.resolve("stories260K.golden.json"))), "golden")
                .array("cases").get(0), "case 0");
        chromium = new Chromium();
    }

    @AfterAll
    static void stop() throws Exception {
        if (chromium != null) chromium.close();
        if (site != null) site.close();
    }

    @BeforeEach
    void proxy() throws Exception { proxy = new CountingProxy(site.url("")); }

    @AfterEach
    void closeProxy() { proxy.close(); }

    @Test
    void aModelLoadedOnceLoadsAgainAfterAReloadWithoutAShardRequest() throws Exception {
        openAndLoad();
        long first = proxy.shardRequests();
        assertTrue(first >= 1, "the first load downloads the shards: " + proxy.hits);
        chromium.waitFor("document.getElementById('stored') && document.getElementById('stored').dataset.count === '1'", Duration.ofSeconds(20));

        open();
        // the model picker asks the store (not the HTTP cache, which the store bypasses) whether loading downloads anything
        chromium.waitFor("document.querySelector('#model option').dataset.cached !== undefined", Duration.ofSeconds(30));
        assertEquals("true", chromium.js("return document.querySelector('#model option').dataset.cached;"),
                () -> "the picker says " + chromium.js("return document.querySelector('#model option').textContent;"));
        load();
        chromium.waitFor("['ready', 'error'].includes(document.getElementById('status').dataset.state)", Duration.ofMinutes(2));
        assertEquals(first, proxy.shardRequests(), () -> "the second load must come from the store: " + proxy.shardHits());
        assertGoldenAnswer();
    }

    @Test
    void theStoredModelIsListedWithItsSizeAndDeletingItFreesItsShards() throws Exception {
        openAndLoad();
        chromium.waitFor("document.querySelector('#stored-list li[data-id=\"stories260k\"]')", Duration.ofSeconds(20));
        String item = (String) chromium.js("return document.querySelector('#stored-list li').textContent;");
        assertTrue(item.contains("stories260k") && item.contains("1.2 MB"), item);
        assertEquals(Boolean.TRUE, storeApi("hasModelInCache('stories260k')"));
        storeApi("engineStore.shard('x.bin', 10, 'ab'.repeat(32), 'nowhere.bin', () => {}).catch(() => 0)"); // a partial file of no model
        assertTrue(String.valueOf(storeApi("listCachedModels().then((l) => JSON.stringify(l))")).contains("\"complete\":true"));

        chromium.js("document.querySelector('#stored-list li button').click();");
        chromium.waitFor("document.getElementById('stored').dataset.count === '0'", Duration.ofSeconds(20));
        assertEquals(Boolean.FALSE, storeApi("hasModelInCache('stories260k')"));
        assertEquals("shards: 0, partial: 1", storeFiles(), "Delete keeps what belongs to no model");
        chromium.js("document.getElementById('stored-clear').hidden = false; document.getElementById('stored-clear').click();");
        chromium.waitFor("document.getElementById('stored-clear').hidden", Duration.ofSeconds(20));
        Thread.sleep(500);
        assertEquals("shards: 0, partial: 0", storeFiles(), "Delete all leaves nothing");
        long before = proxy.shardRequests();
        openAndLoad();
        assertEquals(before + 1, proxy.shardRequests(), "a deleted model downloads again");
    }

    /** The page's model-store API (model-store.js), called in the page: {@code expression} on the module. */
    private Object storeApi(String expression) {
        return chromium.driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "import('./model-store.js').then((m) => m." + expression + ").then(done, (e) => done('error ' + e.message));");
    }

    @Test
    void anUpdatedManifestDownloadsOnlyTheShardsThatChanged() throws Exception {
        Path tmp = Files.createTempDirectory("kiln-update");
        try {
            Path v1 = tmp.resolve("v1/stories"), v2 = tmp.resolve("v2/stories");
            dev.kiln.packager.Packager.pack(dir.resolve("stories260K.gguf"), v1,
                    new dev.kiln.packager.PackOptions(dev.kiln.packager.Quant.KEEP, 256 * 1024));
            Files.createDirectories(v2);
            try (var files = Files.list(v1)) {
                for (Path f : files.toList()) Files.copy(f, v2.resolve(f.getFileName()));
            }
            // the new release changes the bytes of the last shard only: a new hash, a new file name, a new manifest
            dev.kiln.model.Manifest m = dev.kiln.model.Manifest.fromJson(Files.readString(v2.resolve("manifest.json")));
            dev.kiln.model.ShardInfo last = m.shards().get(m.shards().size() - 1);
            byte[] bytes = Files.readAllBytes(v2.resolve(last.file()));
            bytes[bytes.length - 1] ^= 1;
            String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
            String file = last.file().substring(0, last.file().lastIndexOf('-') + 1) + sha.substring(0, 16) + ".bin";
            Files.delete(v2.resolve(last.file()));
            Files.write(v2.resolve(file), bytes);
            Files.writeString(v2.resolve("manifest.json"), Files.readString(v2.resolve("manifest.json"))
                    .replace(last.file(), file).replace(last.sha256(), sha));
            assertTrue(m.shards().size() >= 3, "several shards: " + m.shards().size());

            try (Site first = new Site(List.of(v1)); Site second = new Site(List.of(v2))) {
                proxy.upstream(first.url(""));
                openAndLoad();
                assertEquals(m.shards().size(), proxy.shardRequests());
                proxy.upstream(second.url(""));
                openAndLoad();
                assertEquals(m.shards().size() + 1L, proxy.shardRequests(), () -> "only the changed shard: " + proxy.shardHits());
                assertTrue(proxy.shardHits().get(m.shards().size()).path().endsWith(file));
                assertEquals("shards: " + m.shards().size() + ", partial: 0", storeFiles(), "the replaced shard was deleted");
            }
        } finally {
            try (var walk = Files.walk(tmp)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void aConnectionDroppedMidShardResumesWithRangeRequestsAndDownloadsEachByteAboutOnce() throws Exception {
        long size = Files.size(site.model(dir.resolve("stories260K.gguf")).dir().resolve(
                site.model(dir.resolve("stories260K.gguf")).manifest().shards().get(0).file()));
        proxy.dropAfter = (int) (size / 3);
        proxy.dropsLeft.set(2);
        openAndLoad();
        List<CountingProxy.Hit> hits = proxy.shardHits();
        assertEquals(3, hits.size(), () -> "two broken answers, then the rest: " + hits);
        assertTrue(hits.get(1).range() != null && hits.get(1).status() == 206 && hits.get(2).status() == 206,
                () -> "the retries ask for the rest with Range and get 206: " + hits);
        assertTrue(proxy.shardBytes() <= size + size / 10, () -> "each byte about once: " + proxy.shardBytes() + " for " + size);
        assertGoldenAnswer();
    }

    @Test
    void aDownloadThatKeepsBreakingStopsWithAMessageAndTheNextLoadResumesWhereItStopped() throws Exception {
        long size = site.model(dir.resolve("stories260K.gguf")).manifest().shards().get(0).size();
        proxy.dropAfter = 100_000;
        proxy.dropsLeft.set(1000);
        open();
        load();
        chromium.waitFor("document.getElementById('status').dataset.state === 'error'", Duration.ofMinutes(1));
        String status = (String) chromium.js("return document.getElementById('status').textContent;");
        assertTrue(status.contains("failed 6 times") && status.contains("the next load resumes"), status);
        assertEquals(6L, proxy.shardRequests(), "the first try and 5 retries");

        proxy.dropsLeft.set(0);
        openAndLoad();
        List<CountingProxy.Hit> hits = proxy.shardHits();
        assertEquals(7, hits.size());
        assertEquals(206, hits.get(6).status(), () -> "the next load resumed with Range: " + hits);
        assertTrue(proxy.shardBytes() <= size + size / 10, () -> "each byte about once: " + proxy.shardBytes() + " for " + size);
        assertGoldenAnswer();
    }

    @Test
    void aDamagedShardInTheStoreIsDetectedAndFetchedAgain() throws Exception {
        openAndLoad();
        long first = proxy.shardRequests();
        Object damaged = chromium.driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "(async () => { const root = await navigator.storage.getDirectory();"
                + " const shards = await (await root.getDirectoryHandle('kiln-models')).getDirectoryHandle('shards');"
                + " for await (const [name, h] of shards.entries()) {"
                + "  const bytes = new Uint8Array(await (await h.getFile()).arrayBuffer()); bytes[100] ^= 0xff;"
                + "  const w = await h.createWritable(); await w.write(bytes); await w.close(); return name; } })()"
                + ".then(done, (e) => done('error ' + e.message));");
        assertTrue(String.valueOf(damaged).endsWith(".bin"), "a stored shard was damaged: " + damaged);

        openAndLoad();
        assertEquals(first + 1, proxy.shardRequests(), () -> "the damaged shard alone is fetched again: " + proxy.shardHits());
        assertGoldenAnswer();
    }

    @Test
    void aDamagedShardOnTheServerIsRefusedWithTheIntegrityMessageAndNothingIsStored() throws Exception {
        proxy.tamper = true;
        open();
        load();
        chromium.waitFor("['ready', 'error'].includes(document.getElementById('status').dataset.state)", Duration.ofMinutes(2));
        String status = (String) chromium.js("return document.getElementById('status').textContent;");
        assertTrue(status.contains("failed its integrity check twice"), "the page names the integrity failure: " + status);
        assertEquals(2L, proxy.shardRequests(), "the shard is fetched twice (the second bypassing the HTTP cache)");
        assertEquals("shards: 0, partial: 0", storeFiles(), "nothing of the bad shard is kept");
    }

    @Test
    void afterOneVisitThePageLoadsAndAStoredModelAnswersWithTheServerStopped() throws Exception {
        openAndLoad();
        chromium.waitFor("document.documentElement.dataset.offline === 'ready'", Duration.ofSeconds(30));
        proxy.close();

        open();
        load();
        chromium.waitFor("document.getElementById('status').dataset.state === 'ready'", Duration.ofMinutes(2));
        assertGoldenAnswer();
    }

    @Test
    void aLostDeviceIsRecoveredFromTheStoreWithoutARequestAndAnswersAsBefore() throws Exception {
        openAndLoad();
        assertGoldenAnswer();
        long requests = proxy.hits.size();
        chromium.js("globalThis.kilnPage.engine().loseDevice();");
        Thread.sleep(200);

        JsonObject r = assertGoldenAnswer();
        assertTrue(r.string("recovered").contains("GPU device was lost"), "the result says what happened: " + Json.write(r.map()));
        assertTrue(((String) chromium.js("return document.getElementById('status').textContent;")).contains("GPU device was lost"),
                "the page says what happened");
        assertEquals(requests, proxy.hits.size(), () -> "recovery makes no request: " + proxy.hits.subList((int) requests, proxy.hits.size()));
    }

    @Test
    void aDeviceLostMidAnswerIsRecoveredAndTheAnswerGoesOnWithoutRepeatingTokens() throws Exception {
        openAndLoad();
        long requests = proxy.hits.size();
        // destroy the device as soon as the first token is on the page
        chromium.js("const out = document.getElementById('output');"
                + "const seen = new MutationObserver(() => { if (out.textContent) { seen.disconnect();"
                + " globalThis.kilnPage.engine().loseDevice(); } });"
                + "seen.observe(out, { childList: true, characterData: true, subtree: true });");
        JsonObject r = assertGoldenAnswer();
        assertTrue(r.has("recovered"), "the device was lost mid-answer and recovered: " + Json.write(r.map()));
        assertEquals(golden.string("gen_text"), chromium.js("return document.getElementById('output').textContent;"),
                "the streamed text has every token once");
        assertEquals(requests, proxy.hits.size(), "recovery makes no request");
    }

    @Test
    void aQuotaSmallerThanTheModelIsRefusedBeforeTheDownloadWithHowMuchToFree() throws Exception {
        chromium.driver.get(proxy.url("/?storage_quota=500000"));
        chromium.waitFor("document.querySelector('#model option')", Duration.ofMinutes(1));
        load();
        chromium.waitFor("document.getElementById('status').dataset.state === 'error'", Duration.ofMinutes(1));
        String status = (String) chromium.js("return document.getElementById('status').textContent;");
        assertTrue(status.contains("Not enough storage") && status.contains("Free at least"), status);
        assertEquals(0L, proxy.shardRequests(), "refused before any download");
    }

    @Test
    void aQuotaExceededMidDownloadIsAClearMessage() throws Exception {
        open();
        chromium.waitFor("document.documentElement.dataset.offline === 'ready'", Duration.ofSeconds(30));
        // Chromium enforces an overridden quota on writes but estimate() keeps reporting the real one, so the
        // preflight passes and the write fails: room for what the page keeps, not for the 1.2 MB model
        long usage = ((Number) chromium.driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "navigator.storage.estimate().then((e) => done(e.usage));")).longValue();
        chromium.driver.executeCdpCommand("Storage.overrideQuotaForOrigin",
                Map.of("origin", proxy.url("").replaceAll("/$", ""), "quotaSize", usage + 300_000));
        load();
        chromium.waitFor("document.getElementById('status').dataset.state === 'error'", Duration.ofMinutes(1));
        String status = (String) chromium.js("return document.getElementById('status').textContent;");
        assertTrue(status.contains("storage for this site is full") && status.contains("are kept"), status);
    }

    @Test
    void twoTabsLoadingTheSameModelAtOnceDownloadItOnce() throws Exception {
        proxy.shardDelayMs = 3000;
        open();
        String first = chromium.driver.getWindowHandle();
        chromium.driver.switchTo().newWindow(org.openqa.selenium.WindowType.TAB);
        String second = chromium.driver.getWindowHandle();
        open();
        chromium.driver.switchTo().window(first);
        load();
        chromium.driver.switchTo().window(second);
        load();
        for (String tab : List.of(first, second)) {
            chromium.driver.switchTo().window(tab);
            chromium.waitFor("['ready', 'error'].includes(document.getElementById('status').dataset.state)", Duration.ofMinutes(2));
            assertEquals("ready", chromium.js("return document.getElementById('status').dataset.state;"),
                    () -> "load failed: " + chromium.js("return document.getElementById('status').textContent;"));
        }
        assertEquals(1L, proxy.shardRequests(), () -> "one download for both tabs (Web Locks): " + proxy.shardHits());
        assertGoldenAnswer();
        chromium.driver.close();
        chromium.driver.switchTo().window(first);
        assertGoldenAnswer();
    }

    @Test
    void withoutOpfsTheCacheApiFallbackStoresVerifiesResumesAndReadsShards() throws Exception {
        var shard = site.model(dir.resolve("stories260K.gguf")).manifest().shards().get(0);
        proxy.dropAfter = (int) (shard.size() / 2);
        proxy.dropsLeft.set(1);
        open();
        String report = String.valueOf(chromium.driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "const [file, size, sha] = [arguments[0], arguments[1], arguments[2]];"
                + "const url = new URL('models/stories260k/' + file, location.href).href;"
                + "(async () => { const m = await import('./model-store.js'); m.useCacheStorageForTests();"
                + " const s = m.engineStore, out = [m.storeBackend()];"
                + " const first = await s.shard(file, size, sha, url, () => {}); out.push(first.source);"
                + " const again = await s.shard(file, size, sha, url, () => {}); out.push(again.source);"
                + " const c = await caches.open('kiln-store/kiln-models/shards'); const [key] = await c.keys();"
                + " const bytes = new Uint8Array(await (await c.match(key)).arrayBuffer()); bytes[100] ^= 0xff;"
                + " await c.put(key, new Response(bytes));"
                + " const healed = await s.shard(file, size, sha, url, () => {}); out.push(healed.source, healed.discarded ? 'discarded' : '');"
                + " out.push((await c.keys()).length, (await (await caches.open('kiln-store/kiln-models/partial')).keys()).length);"
                + " return out.join(' '); })().then(done, (e) => done('error ' + e.name + ': ' + e.message));",
                shard.file(), shard.size(), shard.sha256().toLowerCase()));
        assertEquals("cache network store network discarded 1 0", report);
        List<CountingProxy.Hit> hits = proxy.shardHits();
        assertEquals(3, hits.size(), () -> "a broken first answer, its resumption, the refetch of the damaged copy: " + hits);
        assertEquals(206, hits.get(1).status(), () -> "resumed with Range: " + hits);
        assertEquals("shards: 0, partial: 0", storeFiles(), "nothing went to OPFS");
    }

    // ---- helpers ----

    private void open() throws InterruptedException {
        chromium.driver.get(proxy.url("/?request=%7B%22ignore_eos%22%3Atrue%7D"));
        chromium.waitFor("document.querySelector('#model option')", Duration.ofMinutes(1));
    }

    private void load() {
        chromium.js("document.getElementById('load').click();");
    }

    private void openAndLoad() throws InterruptedException {
        open();
        load();
        chromium.waitFor("['ready', 'error'].includes(document.getElementById('status').dataset.state)", Duration.ofMinutes(2));
        assertEquals("ready", chromium.js("return document.getElementById('status').dataset.state;"),
                () -> "load failed: " + chromium.js("return document.getElementById('status').textContent;"));
    }

    /** Generates golden case 0 greedily (48 tokens) and checks llama.cpp's ids. */
    private JsonObject assertGoldenAnswer() throws InterruptedException {
        chromium.js("document.getElementById('prompt').value = arguments[0];"
                + "document.getElementById('max-tokens').value = 48;"
                + "document.getElementById('temperature').value = 0;"
                + "document.getElementById('generate').click();", golden.string("prompt"));
        chromium.waitFor("['done', 'error'].includes(document.getElementById('status').dataset.state)", Duration.ofMinutes(3));
        assertEquals("done", chromium.js("return document.getElementById('status').dataset.state;"),
                () -> "generation failed: " + chromium.js("return document.getElementById('status').textContent;"));
        // the page's completion: {text, finish_reason, usage, kiln: {prompt_ids, ids, recovered?, …}}
        JsonObject r = JsonObject.of(Json.parse((String) chromium.js("return document.getElementById('output').dataset.result;")), "result").object("kiln");
        assertEquals(GoldenStoryPageTest.ints(golden.array("gen_ids")), GoldenStoryPageTest.ints(r.array("ids")));
        return r;
    }

    private String storeFiles() {
        return String.valueOf(chromium.driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "(async () => { const top = await (await navigator.storage.getDirectory()).getDirectoryHandle('kiln-models');"
                + " const count = async (n) => { let c = 0; for await (const e of (await top.getDirectoryHandle(n)).keys()) c++; return c; };"
                + " return 'shards: ' + await count('shards') + ', partial: ' + await count('partial'); })()"
                + ".then(done, (e) => done('error ' + e.message));"));
    }
}
