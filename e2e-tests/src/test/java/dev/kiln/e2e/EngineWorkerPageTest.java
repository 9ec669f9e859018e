package dev.kiln.e2e;

import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine runs in a dedicated Worker, not on the page: headless Chromium (SwiftShader) loads stories260K through
 * the real backend and starts a long greedy generation. Proof of the Worker: the page says so (#thread), and the
 * page's own resource timeline holds neither the engine build nor the model's manifest and shards — a Worker's
 * fetches go to the Worker's timeline — while the same check on ?thread=main (the engine on the page) finds them
 * all. Responsiveness: a setTimeout heartbeat on the page (10 ms period) keeps ticking while tokens stream (a
 * tiny model decodes with little CPU work, so this bounds stalls but does not by itself tell Worker from page). Stop:
 * clicking Stop ends the long generation early with finish_reason "abort", and the page says "stopped", not "done".
 */
class EngineWorkerPageTest {
    /**
     * Longest allowed gap between two heartbeat ticks while tokens stream. A 10 ms timer on an idle page ticks every
     * ~10 ms. Measured while writing this test (load average 4–7 on 2 cores from SwiftShader and parallel builds):
     * worst gaps 16–235 ms with the engine in the Worker. 1 s leaves room for a busier machine and is still a freeze
     * anyone would notice; the average below is the tighter check.
     */
    static final double MAX_GAP_MS = 1000;
    /**
     * Longest allowed average tick period over the streaming window: 5× the timer's 10 ms (measured: 11–12 ms), so
     * the page's own work kept running at least a fifth of the time while the engine decoded.
     */
    static final double MAX_MEAN_PERIOD_MS = 50;
    /** Far more than the ~4 tokens/s SwiftShader decodes in the seconds this test waits: Stop must end it. */
    static final int MAX_TOKENS = 400;
    /** Tokens to see streamed (and heartbeats measured over) before clicking Stop. */
    static final int STREAMED = 8;

    static Site site;
    static Chromium chromium;
    static String manifest;

    @BeforeAll
    static void start() throws Exception {
        Path model = Site.sharedModels().resolve("stories260K").resolve("stories260K.gguf");
        site = new Site(List.of(model));
        chromium = new Chromium();
        manifest = site.model(model).manifestUrl();
    }

    @AfterAll
    static void stop() throws Exception {
        if (chromium != null) chromium.close();
        if (site != null) site.close();
    }

    @ParameterizedTest(name = "{0} build")
    @ValueSource(strings = {"wasm", "js"})
    void theEngineRunsInAWorkerThePageKeepsTickingAndStopEndsALongGeneration(String build) throws Exception {
        open("/?build=" + build + "&request=%7B%22ignore_eos%22%3Atrue%7D");
        assertEquals("worker", chromium.js("return document.getElementById('thread').dataset.thread;"),
                () -> "the engine should run in a Worker: " + chromium.js(
                        "return document.getElementById('thread').textContent;"));
        List<String> pageFetches = pageResources();
        String engineFile = build.equals("wasm") ? "/engine/wasm/kiln.wasm" : "/engine/js/kiln.js";
        assertTrue(pageFetches.stream().anyMatch(u -> u.endsWith("/engine-loader.js")),
                "the page's timeline records its own fetches: " + pageFetches);
        assertTrue(pageFetches.stream().noneMatch(u -> u.endsWith(engineFile) || u.contains("/models/")),
                "the engine build and the model were fetched by the page itself, not a Worker: " + pageFetches);

        JsonObject beat = generateThenStop(build);
        assertTrue(beat.number("window_ms") / Math.max(1, beat.integer("ticks")) < MAX_MEAN_PERIOD_MS,
                () -> "the heartbeat hardly ticked while tokens streamed: " + Json.write(beat.map()));
        assertTrue(beat.number("max_gap_ms") < MAX_GAP_MS,
                () -> "the page stalled while tokens streamed: " + Json.write(beat.map()));
    }

    /** The control: with the engine on the page (?thread=main) the same timeline check sees the engine and model. */
    @Test
    void onTheMainThreadThePageFetchesTheEngineItself() throws Exception {
        open("/?build=wasm&thread=main&request=%7B%22ignore_eos%22%3Atrue%7D");
        assertEquals("main", chromium.js("return document.getElementById('thread').dataset.thread;"));
        List<String> pageFetches = pageResources();
        assertTrue(pageFetches.stream().anyMatch(u -> u.endsWith("/engine/wasm/kiln.wasm")), "engine in " + pageFetches);
        assertTrue(pageFetches.stream().anyMatch(u -> u.contains("/models/")), "model in " + pageFetches);
        generateThenStop("wasm");
    }

    private void open(String path) throws InterruptedException {
        chromium.driver.get(site.url(path));
        chromium.waitFor("document.querySelector('#model option[value=\"" + manifest + "\"]')", Duration.ofMinutes(1));
        chromium.js("document.getElementById('model').value = arguments[0];"
                + " document.getElementById('load').click();", manifest);
        chromium.waitFor("['ready', 'error'].includes(document.getElementById('status').dataset.state)",
                Duration.ofMinutes(2));
        assertEquals("ready", chromium.js("return document.getElementById('status').dataset.state;"),
                () -> "load failed: " + chromium.js("return document.getElementById('status').textContent;"));
    }

    @SuppressWarnings("unchecked")
    private List<String> pageResources() {
        return (List<String>) chromium.js("return performance.getEntriesByType('resource').map((e) => e.name);");
    }

    /**
     * Starts a {@link #MAX_TOKENS}-token greedy generation with a heartbeat on the page, waits for {@link #STREAMED}
     * tokens, clicks Stop and checks the result stopped early. Returns the heartbeat over the streaming window.
     */
    private JsonObject generateThenStop(String build) throws InterruptedException {
        chromium.js("""
                const beat = window.kilnBeat = { ticks: [], tokens: [], running: true };
                const tick = () => { beat.ticks.push(performance.now()); if (beat.running) setTimeout(tick, 10); };
                tick();
                new MutationObserver(() => beat.tokens.push(performance.now()))
                  .observe(document.getElementById('output'), { childList: true, characterData: true, subtree: true });
                document.getElementById('prompt').value = 'Once upon a time';
                document.getElementById('max-tokens').value = arguments[0];
                document.getElementById('temperature').value = 0;
                document.getElementById('generate').click();
                """, MAX_TOKENS);
        chromium.waitFor("window.kilnBeat.tokens.length >= " + STREAMED, Duration.ofMinutes(2));
        chromium.js("window.kilnBeat.running = false; document.getElementById('stop').click();");
        chromium.waitFor("['done', 'stopped', 'error'].includes(document.getElementById('status').dataset.state)",
                Duration.ofMinutes(2));
        assertEquals("stopped", chromium.js("return document.getElementById('status').dataset.state;"),
                () -> "generation failed: " + chromium.js("return document.getElementById('status').textContent;"));
        JsonObject r = JsonObject.of(Json.parse((String) chromium.js(
                "return document.getElementById('output').dataset.result;")), "page result");
        assertEquals("abort", r.string("finish_reason"),
                () -> build + ": Stop should mark the result: " + Json.write(r.map()));
        int n = r.object("kiln").array("ids").size();
        assertTrue(n >= STREAMED - 1 && n < MAX_TOKENS / 2,
                build + ": Stop after " + STREAMED + " streamed tokens gave " + n + " of at most " + MAX_TOKENS);

        String beatJson = (String) chromium.js("""
                const b = window.kilnBeat, from = b.tokens[0], to = b.tokens[arguments[0] - 1];
                const inWindow = b.ticks.filter((t) => t >= from && t <= to);
                let maxGap = 0;
                for (let i = 1; i < b.ticks.length; i++) {
                  if (b.ticks[i] >= from && b.ticks[i - 1] <= to) maxGap = Math.max(maxGap, b.ticks[i] - b.ticks[i - 1]);
                }
                return JSON.stringify({ ticks: inWindow.length, window_ms: to - from, max_gap_ms: maxGap });
                """, STREAMED);
        System.out.println(build + " heartbeat while streaming: " + beatJson);
        return JsonObject.of(Json.parse(beatJson), "heartbeat");
    }
}
