package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import dev.kiln.server.SharedModels;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln bench}: the prompt ids have the asked length; a bad shape or a missing model is a usage error; on the
 * tiny synthetic shape in Node, --json gives one row per prompt length with every figure of the protocol, including
 * GPU time per kernel role whose dispatch counts add up to a decoded token's; in headless Chromium the same profile
 * comes through the page's engine Worker; a row the engine refuses stops the bench without losing the rows before it.
 */
class BenchCommandTest {

    @Test
    void promptIdsHaveExactlyTheAskedLengthAndFitEveryVocabulary() {
        for (int n : new int[] {1, 64, 256}) {
            int[] ids = BenchCommand.promptIds(n);
            assertEquals(n, ids.length);
            for (int id : ids) assertTrue(id >= 3 && id < 259, "id " + id);
        }
    }

    @Test
    void anUnknownSyntheticShapeIsAUsageErrorNamingTheShapes(@TempDir Path tmp) {
        KilnCliTest.Run r = KilnCliTest.run("bench", "--synthetic", "gpt-5", "--cache-dir", tmp.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("qwen2-0.5b"), r.err());
    }

    @Test
    void neitherModelNorSyntheticIsAUsageError() {
        KilnCliTest.Run r = KilnCliTest.run("bench");
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
    }

    @Test
    void jsonGivesOneRowPerPromptLengthWithEveryFigure(@TempDir Path tmp) throws Exception {
        KilnCliTest.requireEngineBuild();
        String out = KilnCliTest.runProcess(tmp, 180, "bench",
                "--synthetic", "tiny", "--prompt-tokens", "5,20", "--tokens", "4", "--repeat", "1", "--json",
                "--cache-dir", tmp.resolve("cache").toString());
        JsonObject o = JsonObject.of(Json.parse(out.strip()), "bench --json");
        assertEquals("synthetic:tiny", o.string("model"));
        assertEquals("q4", o.string("quant"));
        List<Object> rows = o.array("results");
        assertEquals(2, rows.size());
        int[] lengths = {5, 20};
        for (int i = 0; i < 2; i++) {
            JsonObject r = JsonObject.of(rows.get(i), "row " + i);
            assertEquals(lengths[i], r.integer("prompt_tokens"));
            assertEquals(4, r.integer("decode_tokens"));
            for (String k : List.of("load_ms", "compile_ms", "ttft_ms", "prefill_tps", "decode_tps")) {
                assertTrue(r.number(k) > 0, k + " in " + out);
            }
            assertTrue(r.number("compile_ms") < r.number("load_ms"), "compilation is part of the load");
            JsonObject d = r.object("decode_per_token");
            assertTrue(d.number("dispatches") > 0, out);
            assertEquals(1.0, d.number("submits"), "one submit per decoded token");
            assertEquals(4.0, d.number("read_bytes"), "greedy reads back one id per token");
            assertTrue(r.object("prefill_per_prompt_token").number("dispatches") > 0, out);
            assertProfileOfADecodedToken(r, out);
        }
        assertTrue(Files.isRegularFile(tmp.resolve("cache/synthetic-tiny-q4-v3/manifest.json")), "packaged into the cache");
    }

    /** A row the engine refuses (a prompt longer than the context) stops the bench, but the rows before it are printed. */
    @Test
    void aRowThatDoesNotFitStopsTheBenchAndKeepsTheRowsBeforeIt(@TempDir Path tmp) throws Exception {
        KilnCliTest.requireEngineBuild();
        KilnCliTest.Run r = KilnCliTest.run("bench", "--synthetic", "tiny", "--prompt-tokens", "5,3000", "--tokens", "2",
                "--repeat", "1", "--json", "--profile-repeats", "0", "--cache-dir", tmp.resolve("cache").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().contains("3000 prompt tokens") && r.err().contains("context"), r.err());
        JsonObject o = JsonObject.of(Json.parse(r.out().strip()), "bench --json");
        List<Object> rows = o.array("results");
        assertEquals(1, rows.size(), r.out());
        assertEquals(5, JsonObject.of(rows.get(0), "row").integer("prompt_tokens"));
        assertTrue(o.string("stopped").contains("3000 prompt tokens"), r.out());
    }

    @Test
    void theBrowserRuntimeReportsGpuTimePerKernelRoleLikeNode(@TempDir Path tmp) throws Exception {
        KilnCliTest.requireEngineBuild();
        requireBrowser();
        String out = KilnCliTest.runProcess(tmp, 180, "bench", "--runtime", "browser",
                "--synthetic", "tiny", "--prompt-tokens", "5", "--tokens", "4", "--repeat", "1", "--profile-repeats", "2",
                "--json", "--cache-dir", tmp.resolve("cache").toString());
        List<Object> rows = JsonObject.of(Json.parse(out.strip()), "bench --json").array("results");
        assertEquals(1, rows.size());
        JsonObject r = JsonObject.of(rows.get(0), "row 0");
        assertEquals("browser", r.string("runtime"));
        assertTrue(r.string("gpu_time_method").contains("2 repeats"), out);
        assertProfileOfADecodedToken(r, out);
    }

    /** The row's profile: a time (never negative) for every role, and the roles' dispatches make a decoded token's. */
    private static void assertProfileOfADecodedToken(JsonObject r, String out) {
        assertTrue(r.string("gpu_time_method").startsWith("wall clock per role"), out);
        JsonObject ms = r.object("gpu_ms_per_token_by_role"), n = r.object("dispatches_per_token_by_role");
        assertEquals(n.map().keySet(), ms.map().keySet(), "a time and a dispatch count for every role");
        int dispatches = 0;
        for (String role : n.map().keySet()) {
            assertTrue(ms.number(role) >= 0, role + " in " + out);
            dispatches += n.integer(role);
        }
        assertEquals(r.object("decode_per_token").number("dispatches"), dispatches,
                "the roles' dispatches are those of a decoded token");
    }

    /**
     * Skips the calling test, saying why, when Chromium, chromedriver or the built site is missing; under CI=true that
     * fails instead.
     */
    private static void requireBrowser() {
        Path site = SharedModels.repoRoot().resolve("site/target/site/index.html");
        for (Path need : List.of(Path.of(BrowserRuntime.BINARY), Path.of(BrowserRuntime.DRIVER), site)) {
            String why = need + " is absent: build the site (mvn -pl site install) and run ./kiln setup";
            if ("true".equals(System.getenv("CI")) && !Files.exists(need)) throw new AssertionError("required under CI: " + why);
            Assumptions.assumeTrue(Files.exists(need), why);
        }
    }

    @Test
    void chatTurnsReportEveryTurnAndLaterTurnsPrefillOnlyTheirNewTokens(@TempDir Path tmp) throws Exception {
        KilnCliTest.requireEngineBuild();
        String out = KilnCliTest.runProcess(tmp, 180, "bench",
                "--synthetic", "tiny", "--chat-turns", "3", "--tokens", "4", "--repeat", "1", "--json",
                "--cache-dir", tmp.resolve("cache").toString());
        List<Object> turns = JsonObject.of(Json.parse(out.strip()), "bench --json").array("turns");
        assertEquals(3, turns.size());
        JsonObject first = JsonObject.of(turns.get(0), "turn 1"), third = JsonObject.of(turns.get(2), "turn 3");
        assertEquals(first.integer("prompt_tokens"), first.integer("prefilled_tokens"), "turn 1 prefills its prompt");
        assertTrue(third.integer("prompt_tokens") > 2 * first.integer("prompt_tokens"), out);
        assertTrue(third.integer("prefilled_tokens") < third.integer("prompt_tokens") / 2, "turn 3 reuses the cached history: " + out);
        assertTrue(third.number("ttft_ms") > 0 && third.number("decode_tps") > 0, out);
    }
}
