package dev.kiln.webclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.kiln.generate.GenerationRequest;
import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import dev.kiln.packager.PackOptions;
import dev.kiln.packager.Packager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Token identity against llama.cpp: stories260K (F32, Q8_0, Q4_0 GGUF) packaged with the packager, served over
 * HTTP, generated greedily by the compiled engine (JS build) in Node with Dawn on lavapipe — on the f16 path
 * (lavapipe has shader-f16) and forced to f32. For every case of the golden files the prompt ids and all 48
 * generated ids must be equal. Provenance: ../shared/models/stories260K/*.golden.json (llama.cpp for F32, exact f32
 * math on the dequantized weights for Q8_0/Q4_0; see ../shared/README.md).
 */
class GoldenTokensTest {
    static final String[] MODELS = {"stories260K", "stories260K-q8_0", "stories260K-q4_0"};

    @TempDir static Path packaged;
    static ModelServer server;
    static final Map<String, JsonObject> golden = new HashMap<>();

    @BeforeAll
    static void packageAndServe() throws Exception {
        Path models = NodeRunner.shared().resolve("models/stories260K");
        NodeRunner.require(Files.isDirectory(models), "the shared models are missing (" + models + ")");
        NodeRunner.requireNode();
        for (String m : MODELS) {
            Packager.pack(models.resolve(m + ".gguf"), packaged.resolve(m), PackOptions.defaults());
            golden.put(m, JsonObject.of(Json.parse(Files.readString(models.resolve(m + ".golden.json"))), m));
        }
        server = new ModelServer(packaged);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static Stream<Arguments> modelsAndPrecisions() {
        List<Arguments> out = new ArrayList<>();
        for (String m : MODELS) for (String p : new String[] {"f16", "f32"}) out.add(Arguments.of(m, p));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} on {1}: every golden case gives the same prompt ids and 48 greedy ids")
    @MethodSource("modelsAndPrecisions")
    void greedyIdsEqualTheGoldenFile(String model, String precision) throws Exception {
        for (Object o : golden.get(model).array("cases")) {
            JsonObject c = JsonObject.of(o, model + " case");
            String prompt = c.string("prompt");
            NodeRunner.Result r = NodeRunner.run(180, "generate.mjs", "--manifest", server.url(model + "/manifest.json"),
                    "--request", GenerationRequest.of(prompt).withMaxTokens(48).withTemperature(0).withIgnoreEos(true).toJson(),
                    "--precision", precision, "--json");
            assertEquals(0, r.exit(), "generate.mjs failed for '" + prompt + "':\n" + r.stderr());
            JsonObject result = JsonObject.of(Json.parse(r.lastLine()), "result");
            assertEquals(precision, result.string("precision"));
            assertEquals(c.array("prompt_ids"), result.array("prompt_ids"), "prompt ids of '" + prompt + "'");
            assertEquals(c.array("gen_ids"), result.array("ids"), model + " " + precision + " ids after '" + prompt + "'");
            assertEquals(c.string("gen_text"), result.string("text"), "text after '" + prompt + "'");
            System.out.println(model + " " + precision + " '" + prompt + "': 48/48 ids equal; prefill "
                    + Math.round(result.number("prefill_tps")) + " tok/s, decode " + Math.round(result.number("decode_tps")) + " tok/s");
        }
    }

    @ParameterizedTest(name = "{0}: first-step top-5 logits on f32 within 1e-3 of the golden values")
    @MethodSource("models")
    void firstStepTop5LogitsMatchOnF32(String model) throws Exception {
        JsonObject c = JsonObject.of(golden.get(model).array("cases").get(0), model + " case 0");
        List<Object> ids = new ArrayList<>(c.array("prompt_ids"));
        ids.add(c.array("gen_ids").get(0));
        NodeRunner.Result r = NodeRunner.run(180, "generate.mjs", "--manifest", server.url(model + "/manifest.json"),
                "--precision", "f32", "--score", Json.write(ids));
        assertEquals(0, r.exit(), "generate.mjs --score failed:\n" + r.stderr());
        List<Object> rows = JsonObject.of(Json.parse(r.lastLine()), "score").array("logits");
        @SuppressWarnings("unchecked")
        List<Object> last = (List<Object>) rows.get(c.array("prompt_ids").size() - 1);
        double worst = 0;
        for (Object t : c.array("first_step_top5")) {
            JsonObject top = JsonObject.of(t, "top5");
            double actual = (Double) last.get(top.integer("id"));
            double diff = Math.abs(actual - top.number("logit"));
            worst = Math.max(worst, diff);
            assertTrue(diff <= 1e-3, model + ": logit of token " + top.integer("id") + " is " + actual + ", golden " + top.number("logit"));
        }
        System.out.println(model + " f32 first-step top-5: largest logit difference " + worst);
    }

    static Stream<String> models() { return Stream.of(MODELS); }
}
