package dev.kiln.e2e;

import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Token identity through the page, as a person uses it: headless Chromium (SwiftShader, f32 compute) opens the demo
 * served by the real backend, loads a model packaged on start from a real GGUF file (a base model without a chat
 * template: the page offers a plain completion box and says so), types each golden prompt and generates 48 greedy
 * tokens. Prompt ids and every generated id must equal llama.cpp's
 * (../shared/models/stories260K/*.golden.json; Q8_0/Q4_0 goldens are exact f32 math on the dequantized weights).
 */
class GoldenStoryPageTest {
    static Site site;
    static Chromium chromium;
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = Site.sharedModels().resolve("stories260K");
        site = new Site(List.of(dir.resolve("stories260K.gguf"), dir.resolve("stories260K-q8_0.gguf"),
                dir.resolve("stories260K-q4_0.gguf")));
        chromium = new Chromium();
    }

    @AfterAll
    static void stop() throws Exception {
        if (chromium != null) chromium.close();
        if (site != null) site.close();
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String build : List.of("wasm", "js")) {
            for (String model : List.of("stories260K", "stories260K-q8_0", "stories260K-q4_0")) out.add(Arguments.of(build, model));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{1}, {0} build")
    @MethodSource("cases")
    void everyGoldenPromptGivesLlamaCppsTokensThroughThePage(String build, String model) throws Exception {
        JsonObject golden = JsonObject.of(Json.parse(Files.readString(dir.resolve(model + ".golden.json"))), model);
        String manifest = site.model(dir.resolve(model + ".gguf")).manifestUrl();

        chromium.driver.get(site.url("/?build=" + build + "&request=%7B%22ignore_eos%22%3Atrue%7D"));
        chromium.waitFor("document.querySelector('#model option[value=\"" + manifest + "\"]')", Duration.ofMinutes(1));
        chromium.js("document.getElementById('model').value = arguments[0]; document.getElementById('load').click();", manifest);
        chromium.waitFor("['ready', 'error'].includes(document.getElementById('status').dataset.state)", Duration.ofMinutes(2));
        assertEquals("ready", chromium.js("return document.getElementById('status').dataset.state;"),
                () -> "load failed: " + chromium.js("return document.getElementById('status').textContent;"));
        assertEquals("completion", chromium.js("return document.getElementById('chat').dataset.mode;"),
                "stories260K has no chat template");
        assertEquals(Boolean.FALSE, chromium.js("return document.getElementById('completion-note').hidden;"),
                "the page says the model only continues text");

        for (Object c : golden.array("cases")) {
            JsonObject gc = JsonObject.of(c, model + " case");
            String prompt = gc.string("prompt");
            chromium.js("document.getElementById('prompt').value = arguments[0];"
                    + "document.getElementById('max-tokens').value = 48;"
                    + "document.getElementById('temperature').value = 0;"
                    + "document.getElementById('generate').click();", prompt);
            chromium.waitFor("['done', 'error'].includes(document.getElementById('status').dataset.state)", Duration.ofMinutes(3));
            assertEquals("done", chromium.js("return document.getElementById('status').dataset.state;"),
                    () -> "generation failed: " + chromium.js("return document.getElementById('status').textContent;"));
            JsonObject r = JsonObject.of(Json.parse((String) chromium.js(
                    "return document.getElementById('output').dataset.result;")), "page result");
            JsonObject kiln = r.object("kiln");
            assertEquals("f32", chromium.js("return document.getElementById('precision').textContent;"));
            assertEquals(ints(gc.array("prompt_ids")), ints(kiln.array("prompt_ids")), "prompt ids of " + Json.write(prompt));
            assertEquals(ints(gc.array("gen_ids")), ints(kiln.array("ids")), "greedy ids after " + Json.write(prompt));
            assertEquals(gc.string("gen_text"), r.string("text"), "text after " + Json.write(prompt));
            assertEquals(gc.string("gen_text"), chromium.js("return document.getElementById('output').textContent;"),
                    "the streamed text on the page");
        }
    }

    static List<Integer> ints(List<Object> xs) {
        List<Integer> out = new ArrayList<>();
        for (Object x : xs) out.add(((Double) x).intValue());
        return out;
    }
}
