package dev.kiln.golden;

import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference outputs in {@code ../shared/models/stories260K/*.golden.json} (provenance in their "meta": llama.cpp
 * CPU for the F32 model, confirmed by an independent NumPy forward; exact f32 math on the dequantized weights for
 * Q8_0/Q4_0). Parsed with core's own JSON reader.
 */
record Golden(String file, List<Case> cases) {

    /**
     * One prompt.
     *
     * @param promptIds  BOS first
     * @param genIds     48 greedy next tokens
     * @param top5Ids    the five largest logits at the first generated position, best first
     * @param top5Logits their values
     * @param gaps       the reference's top-1 minus top-2 logit at every generated step
     */
    record Case(String prompt, int[] promptIds, int[] genIds, int[] top5Ids, double[] top5Logits, double[] gaps) {
        @Override public String toString() { return "'" + prompt.replace("\n", "\\n") + "'"; }
    }

    static Golden read(Path file) throws IOException {
        JsonObject root = JsonObject.of(Json.parse(Files.readString(file)), file.getFileName().toString());
        List<Case> cases = new ArrayList<>();
        for (Object o : root.array("cases")) {
            JsonObject c = JsonObject.of(o, "cases[" + cases.size() + "]");
            List<Object> top = c.array("first_step_top5");
            int[] topIds = new int[top.size()];
            double[] topLogits = new double[top.size()];
            for (int i = 0; i < top.size(); i++) {
                JsonObject t = JsonObject.of(top.get(i), "first_step_top5[" + i + "]");
                topIds[i] = t.integer("id");
                topLogits[i] = t.number("logit");
            }
            cases.add(new Case(c.string("prompt"), ints(c.array("prompt_ids")), ints(c.array("gen_ids")), topIds,
                    topLogits, doubles(c.array("step_top2_gap"))));
        }
        return new Golden(file.getFileName().toString(), cases);
    }

    private static int[] ints(List<Object> a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = ((Double) a.get(i)).intValue();
        return out;
    }

    private static double[] doubles(List<Object> a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = (Double) a.get(i);
        return out;
    }
}
