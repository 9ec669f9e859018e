package dev.kiln.webclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeScaling;
import dev.kiln.packager.PackOptions;
import dev.kiln.packager.Packager;
import dev.kiln.reference.CpuModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The architectures people run in a browser, each as a random-weight checkpoint the test writes in Hugging Face
 * layout ({@link SyntheticHf}: small dims, every feature of the family), packaged by the packager, then:
 * <ol>
 *   <li>the CPU reference on the package against {@link HfForward} (transformers' math on the checkpoint's own
 *       tensors): checks the packager's mapping — q/k permutation of rows, biases and norm weights, fused splits,
 *       tied heads, RoPE scaling — within {@link #HF_TOL};</li>
 *   <li>the GPU engine (JS build, Node + Dawn on lavapipe), teacher-forced over the same ids on the f16 and the f32
 *       path in one Node process, against the CPU reference: the same top-1 token at every position and the largest
 *       logit difference within {@link #F32_TOL} / {@link #F16_TOL}.</li>
 * </ol>
 * Tolerances (logits spread over about ±10; a missing bias, norm or permutation moves them by O(1)): transformers
 * vs CPU — double vs f32 sums, measured ≤ 1e-5, allowed 1e-4; f32 path — f32 on both sides, sums in other orders,
 * measured ≤ 1.3e-5, allowed 2e-4; f16 path — the KV cache is stored as f16 (relative 2⁻¹¹ per element), measured
 * ≤ 6e-3, allowed 2e-2.
 */
class ArchitecturesTest {
    static final double HF_TOL = 1e-4, F32_TOL = 2e-4, F16_TOL = 2e-2;
    static final int SEQUENCE = 24;

    static final List<SyntheticHf.Arch> ARCHS = List.of(
            // Llama 3.x: GQA 2:1, untied head, Llama-3 RoPE scaling (original context 64 with head size 16 puts pairs
            // in all three bands: kept, blended, stretched), θ 500000, BF16
            new SyntheticHf.Arch("llama3", "llama", 64, 2, 4, 2, 0, 96, false, "BF16", false, false, false, 500000f,
                    Map.of("rope_type", "llama3", "factor", 8.0, "low_freq_factor", 1.0, "high_freq_factor", 4.0,
                            "original_max_position_embeddings", 64), 0),
            // Qwen2/2.5: q/k/v biases, GQA 4:1, tied embeddings, θ 1e6, F16
            new SyntheticHf.Arch("qwen2", "qwen2", 64, 2, 8, 2, 0, 96, true, "F16", true, false, false, 1e6f, null, 0),
            // Qwen3: per-head q/k RMSNorm, head_dim 16 with hidden 48 (heads·head_dim = 64 ≠ 48), tied, BF16
            new SyntheticHf.Arch("qwen3", "qwen3", 48, 2, 4, 2, 16, 96, true, "BF16", false, true, false, 1e6f, null, 0),
            // Mistral: one KV head (MQA), sliding window 32 below max_position_embeddings (the context is capped), F32
            new SyntheticHf.Arch("mistral", "mistral", 64, 2, 4, 1, 0, 96, false, "F32", false, false, false, 1e6f, null, 32),
            // SmolLM2: llama, tied, 6 heads over 2 KV heads; linear RoPE scaling is exercised here too, BF16
            new SyntheticHf.Arch("smollm2", "llama", 48, 2, 6, 2, 0, 64, true, "BF16", false, false, false, 100000f,
                    Map.of("rope_type", "linear", "factor", 2.0), 0),
            // Phi-3: fused qkv_proj and gate_up_proj (split by the packager), untied, F16
            new SyntheticHf.Arch("phi3", "phi3", 64, 2, 4, 4, 0, 96, false, "F16", false, false, true, 10000f, null, 0));

    @TempDir static Path tmp;
    static ModelServer server;

    @BeforeAll
    static void serve() throws IOException {
        NodeRunner.requireNode();
        server = new ModelServer(tmp);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static Stream<String> architectures() { return ARCHS.stream().map(SyntheticHf.Arch::name); }

    @ParameterizedTest(name = "{0}: packaged checkpoint = transformers' math; GPU f16 and f32 = CPU reference, teacher-forced")
    @MethodSource("architectures")
    void theGpuEngineAgreesWithTheCpuReferenceOnTheFamilysFeatures(String name) throws Exception {
        SyntheticHf.Arch a = ARCHS.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
        SyntheticHf hf = new SyntheticHf(a, name.hashCode());
        Path pkg = tmp.resolve(name);
        Packager.pack(hf.write(tmp.resolve(name + "-hf")), pkg, PackOptions.defaults());
        Manifest m = Manifest.fromJson(Files.readString(pkg.resolve("manifest.json")));
        ModelConfig c = m.config();
        assertEquals(a.qkvBias(), c.qkvBias(), "qkv_bias");
        assertEquals(a.qkNorm(), c.qkNorm(), "qk_norm");
        assertEquals(a.ropeScaling() != null, c.ropeScaling().type() != RopeScaling.Type.NONE, "rope_scaling");
        assertEquals(a.tied(), c.tiedEmbeddings(), "tied embeddings");
        assertEquals(a.hs(), c.headSize(), "head size");

        int[] ids = ids(name.length());
        CpuModel cpu = CpuModel.load(m, i -> read(pkg.resolve(m.shards().get(i).file())));
        float[][] ref = new float[ids.length][];
        for (int pos = 0; pos < ids.length; pos++) ref[pos] = cpu.forward(ids[pos], pos).clone();

        double[][] want = HfForward.logits(hf, ids);
        double hfDiff = 0;
        for (int pos = 0; pos < ids.length; pos++) {
            for (int i = 0; i < want[pos].length; i++) hfDiff = Math.max(hfDiff, Math.abs(want[pos][i] - ref[pos][i]));
        }
        assertTrue(hfDiff <= HF_TOL, name + ": the CPU reference on the package differs from transformers' math on the"
                + " checkpoint by " + hfDiff + " (> " + HF_TOL + "): the packager's mapping or a flag is wrong");

        List<Object> idList = new ArrayList<>();
        for (int id : ids) idList.add(id);
        NodeRunner.Result r = NodeRunner.run(180, "generate.mjs", "--manifest", server.url(name + "/manifest.json"),
                "--precision", "f16,f32", "--score", Json.write(idList));
        assertEquals(0, r.exit(), "generate.mjs --score failed:\n" + r.stderr());
        String[] lines = r.stdout().strip().split("\n");
        assertEquals(2, lines.length, "one line per precision:\n" + r.stdout());
        int layers = c.layers();
        int dispatches = 12 * layers + 4 + (c.qkvBias() ? layers : 0) + (c.qkNorm() ? layers : 0);
        StringBuilder report = new StringBuilder(name + ": CPU vs transformers max |Δ| " + String.format("%.2e", hfDiff));
        for (String line : lines) {
            JsonObject o = JsonObject.of(Json.parse(line), "score");
            String precision = o.string("precision");
            assertEquals(dispatches, o.integer("dispatches_per_token"), "12·layers + 4 (+ layers per flag)");
            double tol = precision.equals("f16") ? F16_TOL : F32_TOL;
            List<Object> rows = o.array("logits");
            assertEquals(ids.length - 1, rows.size());
            double max = 0, sum = 0;
            int agree = 0;
            for (int pos = 0; pos < rows.size(); pos++) {
                @SuppressWarnings("unchecked")
                List<Object> row = (List<Object>) rows.get(pos);
                float[] gpu = new float[row.size()];
                for (int i = 0; i < gpu.length; i++) gpu[i] = ((Double) row.get(i)).floatValue();
                for (int i = 0; i < gpu.length; i++) {
                    double d = Math.abs(gpu[i] - ref[pos][i]);
                    max = Math.max(max, d);
                    sum += d;
                }
                if (argmax(gpu) == argmax(ref[pos])) agree++;
            }
            report.append(String.format("; %s top-1 %d/%d, max |Δ| %.2e, mean %.2e", precision, agree, rows.size(), max,
                    sum / rows.size() / SyntheticHf.VOCAB));
            assertEquals(rows.size(), agree, name + " " + precision + ": top-1 differs at " + (rows.size() - agree) + " positions");
            assertTrue(max <= tol, name + " " + precision + ": max logit difference " + max + " > " + tol);
        }
        System.out.println(report);
    }

    /** BOS, then SEQUENCE − 1 ids drawn from the non-special tokens. */
    private static int[] ids(long seed) {
        Random r = new Random(seed);
        int[] ids = new int[SEQUENCE];
        ids[0] = 1;
        for (int i = 1; i < ids.length; i++) ids[i] = 3 + r.nextInt(SyntheticHf.VOCAB - 3);
        return ids;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
