package dev.kiln.golden;

import dev.kiln.packager.Quant;
import dev.kiln.packager.Shared;
import dev.kiln.reference.CpuModel;
import dev.kiln.tokenizer.Tokenizer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Token identity with llama.cpp: stories260K (F32, Q8_0, Q4_0 GGUF) packaged by our packager and run by the CPU
 * reference from the package alone gives the golden prompt ids, all 48 greedy ids, and the first-step top-5 logits.
 * Provenance: ../shared/models/stories260K/*.golden.json ("meta" in each; llama.cpp CPU + NumPy for F32, exact f32
 * math on the dequantized weights for Q8_0/Q4_0).
 */
class StoriesGoldenTest {

    enum Model {
        F32("stories260K.gguf", "stories260K.golden.json"),
        Q8_0("stories260K-q8_0.gguf", "stories260K-q8_0.golden.json"),
        Q4_0("stories260K-q4_0.gguf", "stories260K-q4_0.golden.json");

        final String gguf, golden;

        Model(String gguf, String golden) { this.gguf = gguf; this.golden = golden; }
    }

    @TempDir static Path tmp;
    private static final Map<Model, Packaged> PACKAGED = new EnumMap<>(Model.class);

    static Packaged packaged(Model m) throws IOException {
        Packaged p = PACKAGED.get(m);
        if (p == null) {
            p = Packaged.pack(Shared.stories(m.gguf), tmp.resolve(m.name()), Quant.KEEP);
            PACKAGED.put(m, p);
        }
        return p;
    }

    static Golden golden(Model m) throws IOException { return Golden.read(Shared.stories(m.golden)); }

    @ParameterizedTest
    @EnumSource(Model.class)
    void everyPromptTokenizesToTheGoldenIds(Model m) throws IOException {
        Tokenizer t = packaged(m).tokenizer();
        assertAll(golden(m).cases().stream().map(c -> () ->
                assertArrayEquals(c.promptIds(), t.encode(c.prompt()), "prompt " + c)));
    }

    @ParameterizedTest
    @EnumSource(Model.class)
    void greedyDecodingGivesAllGoldenIds(Model m) throws IOException {
        CpuModel model = packaged(m).cpu();
        List<String> report = new ArrayList<>();
        for (Golden.Case c : golden(m).cases()) {
            int[] ids = Packaged.greedy(model, c.promptIds(), c.genIds().length);
            report.add(c + ": " + (Arrays.equals(ids, c.genIds()) ? "48/48 equal" : "got " + Arrays.toString(ids)
                    + " expected " + Arrays.toString(c.genIds())));
        }
        System.out.println(m + " greedy: " + report);
        for (String r : report) assertTrue(r.endsWith("48/48 equal"), m + " " + r);
    }

    @ParameterizedTest
    @EnumSource(Model.class)
    void firstStepTop5LogitsAreWithin1e3OfTheGolden(Model m) throws IOException {
        CpuModel model = packaged(m).cpu();
        double worst = 0;
        for (Golden.Case c : golden(m).cases()) {
            float[] logits = prefill(model, c.promptIds());
            int[] top = top(logits, 5);
            assertArrayEquals(c.top5Ids(), top, "top-5 ids of " + c);
            for (int i = 0; i < 5; i++) {
                double d = Math.abs(logits[c.top5Ids()[i]] - c.top5Logits()[i]);
                worst = Math.max(worst, d);
                assertEquals(c.top5Logits()[i], logits[c.top5Ids()[i]], 1e-3, "logit of token " + c.top5Ids()[i] + " for " + c);
            }
        }
        System.out.println(m + " first-step top-5: largest difference " + worst);
    }

    /** Runs the prompt from position 0 and returns the logits after its last token. */
    static float[] prefill(CpuModel model, int[] prompt) {
        model.reset();
        float[] logits = null;
        for (int pos = 0; pos < prompt.length; pos++) logits = model.forward(prompt[pos], pos);
        return logits;
    }

    /** Ids of the k largest logits, largest first. */
    static int[] top(float[] logits, int k) {
        Integer[] idx = new Integer[logits.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Arrays.sort(idx, (a, b) -> Float.compare(logits[b], logits[a]));
        int[] out = new int[k];
        for (int i = 0; i < k; i++) out[i] = idx[i];
        return out;
    }
}
