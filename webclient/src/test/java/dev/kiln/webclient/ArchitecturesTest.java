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
import dev.kiln.testsupport.SyntheticModel;
import dev.kiln.tokenizer.Vocabulary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The architectures people run in a browser, each as a random-weight checkpoint the test writes in Hugging Face
 * layout ({@link SyntheticModel}: small dims, every feature of the family), packaged by the packager, then:
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
 * <p>Then the prefill path (blocks of positions: MAT_MUL, CAUSAL_ATTENTION, the row-wise kernels), which teacher
 * forcing does not take: a greedy generation (f32) from the first {@code SEQUENCE − 8} ids gives the tokens the CPU
 * reference's greedy continuation gives.
 */
class ArchitecturesTest {
    static final double HF_TOL = 1e-4, F32_TOL = 2e-4, F16_TOL = 2e-2;
    static final int SEQUENCE = 24;

    static final List<SyntheticModel.Arch> ARCHS = List.of(
            // Llama 3.x: GQA 2:1, untied head, Llama-3 RoPE scaling (original context 64 with head size 16 puts pairs
            // in all three bands: kept, blended, stretched), θ 500000, BF16
            new SyntheticModel.Arch("llama3", "llama", 64, 2, 4, 2, 0, 96, false, "BF16", 500000f,
                    Map.of("rope_type", "llama3", "factor", 8.0, "low_freq_factor", 1.0, "high_freq_factor", 4.0,
                            "original_max_position_embeddings", 64), 0),
            // Qwen2/2.5: q/k/v biases, GQA 4:1, tied embeddings, θ 1e6, F16
            new SyntheticModel.Arch("qwen2", "qwen2", 64, 2, 8, 2, 0, 96, true, "F16", 1e6f, null, 0),
            // Qwen3: per-head q/k RMSNorm, head_dim 16 with hidden 48 (heads·head_dim = 64 ≠ 48), tied, BF16
            new SyntheticModel.Arch("qwen3", "qwen3", 48, 2, 4, 2, 16, 96, true, "BF16", 1e6f, null, 0),
            // Mistral: one KV head (MQA), sliding window 32 below max_position_embeddings (the context is capped), F32
            new SyntheticModel.Arch("mistral", "mistral", 64, 2, 4, 1, 0, 96, false, "F32", 1e6f, null, 32),
            // SmolLM2: llama, tied, 6 heads over 2 KV heads; linear RoPE scaling is exercised here too, BF16
            new SyntheticModel.Arch("smollm2", "llama", 48, 2, 6, 2, 0, 64, true, "BF16", 100000f,
                    Map.of("rope_type", "linear", "factor", 2.0), 0),
            // Phi-3: fused qkv_proj and gate_up_proj (split by the packager), untied, F16
            new SyntheticModel.Arch("phi3", "phi3", 64, 2, 4, 4, 0, 96, false, "F16", 10000f, null, 0),
            // Phi-3.5-mini at 1/32 of its widths: MHA, head size 16 (of 96), FFN 8/3 of hidden, BF16, untied, a sliding
            // window above the context (not capped), and LongRoPE: its config's lists at every sixth frequency and the
            // last (8 = head_size/2 values), original context 16 of 64 positions (factor 4, attention factor √1.5);
            // the 24-token sequence is past the original context, so transformers and the engine both take the long
            // factors. With Phi-3.5's chat template and special tokens.
            new SyntheticModel.Arch("phi3.5", "phi3", 96, 2, 6, 6, 0, 256, false, "BF16", 10000f, Map.of("type", "longrope",
                    "short_factor", List.of(1.0, 1.0499999523162842, 1.1599998474121094, 1.7899998426437378,
                            1.9899996519088745, 2.0199997425079346, 2.0299997329711914, 2.8399994373321533),
                    "long_factor", List.of(1.0800000429153442, 1.6200000047683716, 7.700000286102295, 30.420001983642578,
                            50.340003967285156, 62.61000442504883, 63.93000411987305, 64.83999633789062),
                    "original_max_position_embeddings", 16), 128));

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

    static Stream<String> architectures() { return ARCHS.stream().map(SyntheticModel.Arch::name); }

    @ParameterizedTest(name = "{0}: packaged checkpoint = transformers' math; GPU f16 and f32 = CPU reference, teacher-forced")
    @MethodSource("architectures")
    void theGpuEngineAgreesWithTheCpuReferenceOnTheFamilysFeatures(String name) throws Exception {
        SyntheticModel.Arch a = ARCHS.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
        SyntheticModel hf = new SyntheticModel(a, name.hashCode());
        if (name.equals("phi3.5")) phi35Tokens(hf);
        Path pkg = tmp.resolve(name);
        Packager.pack(hf.writeHf(tmp.resolve(name + "-hf")), pkg, PackOptions.defaults());
        Manifest m = Manifest.fromJson(Files.readString(pkg.resolve("manifest.json")));
        ModelConfig c = m.config();
        assertEquals(a.qkvBias(), c.qkvBias(), "qkv_bias");
        assertEquals(a.qkNorm(), c.qkNorm(), "qk_norm");
        assertEquals(a.ropeScaling() != null, c.ropeScaling().type() != RopeScaling.Type.NONE, "rope_scaling");
        assertEquals(a.tied(), c.tiedEmbeddings(), "tied embeddings");
        assertEquals(a.hs(), c.headSize(), "head size");
        if (name.equals("phi3.5")) assertPhi35(m, pkg, hf);

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
        if (name.equals("phi3.5")) longropeMutantsAreCaught(hf, ids, ref, name.hashCode());

        List<Object> idList = new ArrayList<>();
        for (int id : ids) idList.add(id);
        NodeRunner.Result r = NodeRunner.run(180, "generate.mjs", "--manifest", server.url(name + "/manifest.json"),
                "--precision", "f16,f32", "--score", Json.write(idList));
        assertEquals(0, r.exit(), "generate.mjs --score failed:\n" + r.stderr());
        String[] lines = r.stdout().strip().split("\n");
        assertEquals(2, lines.length, "one line per precision:\n" + r.stdout());
        int layers = c.layers();
        dev.kiln.engine.Schedule schedule = dev.kiln.engine.Schedule.of(m);
        int dispatches = schedule.body().size() + schedule.head().size() + 1; // + ARGMAX or TOP_K
        assertTrue(dispatches <= 11 * layers + 4 + (c.qkvBias() ? layers : 0) + (c.qkNorm() ? layers : 0),
                "W3+SILU_MUL is one launch (and Q+K+V where the weights allow)");
        StringBuilder report = new StringBuilder(name + ": CPU vs transformers max |Δ| " + String.format("%.2e", hfDiff));
        for (String line : lines) {
            JsonObject o = JsonObject.of(Json.parse(line), "score");
            String precision = o.string("precision");
            assertEquals(dispatches, o.integer("dispatches_per_token"), "the schedule's launches + the sampler");
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
                    sum / rows.size() / SyntheticModel.VOCAB));
            assertEquals(rows.size(), agree, name + " " + precision + ": top-1 differs at " + (rows.size() - agree) + " positions");
            assertTrue(max <= tol, name + " " + precision + ": max logit difference " + max + " > " + tol);
        }
        greedyAfterPrefillMatchesTheCpu(name, ids, ref, cpu);
        System.out.println(report);
    }

    /** Prefill of the first {@code SEQUENCE − 8} ids on the GPU, then 4 greedy tokens, against the CPU reference. */
    private static void greedyAfterPrefillMatchesTheCpu(String name, int[] ids, float[][] ref, CpuModel cpu) throws Exception {
        int k = ids.length - 8, n = 4;
        int[] expected = new int[n];
        expected[0] = argmax(ref[k - 1]); // the CPU cache holds positions 0..k-1 of these ids
        for (int i = 1; i < n; i++) expected[i] = argmax(cpu.forward(expected[i - 1], k + i - 1));
        List<Object> prompt = new ArrayList<>();
        for (int i = 0; i < k; i++) prompt.add(ids[i]);
        Map<String, Object> request = new java.util.LinkedHashMap<>();
        request.put("prompt_ids", prompt);
        request.put("max_tokens", n);
        request.put("temperature", 0);
        request.put("ignore_eos", true);
        NodeRunner.Result r = NodeRunner.run(180, "generate.mjs", "--manifest", server.url(name + "/manifest.json"),
                "--precision", "f32", "--request", Json.write(request), "--json");
        assertEquals(0, r.exit(), "generate.mjs --request failed:\n" + r.stderr());
        String[] lines = r.stdout().strip().split("\n");
        JsonObject o = JsonObject.of(Json.parse(lines[lines.length - 1]), "generate");
        assertEquals(k, o.integer("prefilled"), "a fresh engine prefills the whole prompt");
        List<Object> got = o.array("ids");
        List<Object> want = new ArrayList<>();
        for (int id : expected) want.add((double) id);
        List<Object> gotNumbers = new ArrayList<>();
        for (Object g : got) gotNumbers.add(((Number) g).doubleValue());
        assertEquals(want, gotNumbers, name + ": greedy tokens after a prefill of " + k + " positions");
    }

    /**
     * Phi-3.5-mini-instruct's chat template (../shared/chat-templates, as the model ships it) and the special tokens
     * it names, in place of filler tokens: {@code <|endoftext|>} (EOS, as Phi-3.5's config says), {@code <|assistant|>},
     * {@code <|end|>}, {@code <|user|>}, {@code <|system|>}.
     */
    private static void phi35Tokens(SyntheticModel hf) throws IOException {
        hf.chatTemplate = Files.readString(sharedFile("chat-templates/microsoft-Phi-3.5-mini-instruct.jinja"));
        String[] specials = {"<|endoftext|>", "<|assistant|>", "<|end|>", "<|user|>", "<|system|>"};
        for (int i = 0; i < specials.length; i++) hf.specialTokens.put(259 + i, specials[i]);
        hf.eos = 259;
        hf.eosText = "<|endoftext|>";
    }

    /** LongRoPE in the manifest (version 2) and the chat template and special tokens in the tokenizer file. */
    private static void assertPhi35(Manifest m, Path pkg, SyntheticModel hf) throws IOException {
        RopeScaling s = m.config().ropeScaling();
        assertEquals(RopeScaling.Type.LONGROPE, s.type());
        assertEquals(16, s.originalContext());
        assertEquals((float) Math.sqrt(1.5), s.attentionFactor(), 1e-6f, "√(1 + ln 4 / ln 16)");
        assertTrue(Files.readString(pkg.resolve("manifest.json")).contains("\"version\": 2"), "LongRoPE needs format version 2");
        Vocabulary v = Vocabulary.fromJson(Files.readString(pkg.resolve(m.tokenizer())));
        assertEquals(hf.chatTemplate, v.chatTemplate());
        assertEquals("<|endoftext|>", v.specialTokens().get("eos_token"));
        assertEquals(259, m.config().eos());
        for (int id = 259; id < 264; id++) assertEquals(Vocabulary.CONTROL, v.types()[id], hf.token(id) + " is a control token");
    }

    /**
     * Mutation sanity: transformers' math with the short factors, or without the attention factor, is far from the
     * CPU reference (by more than {@link #HF_TOL}), so the agreement above does check both.
     */
    private static void longropeMutantsAreCaught(SyntheticModel hf, int[] ids, float[][] ref, long seed) {
        Map<String, Object> s = hf.a.ropeScaling();
        Map<String, Object> shortOnly = new java.util.HashMap<>(s), noFactor = new java.util.HashMap<>(s);
        shortOnly.put("long_factor", s.get("short_factor"));
        noFactor.put("attention_factor", 1.0);
        for (Map<String, Object> mutant : List.of(shortOnly, noFactor)) {
            SyntheticModel.Arch a = hf.a;
            SyntheticModel m = new SyntheticModel(new SyntheticModel.Arch(a.name(), a.modelType(), a.dim(), a.layers(),
                    a.heads(), a.kvHeads(), a.headDim(), a.ffn(), a.tied(), a.dtype(), a.ropeTheta(), mutant, a.slidingWindow()), seed);
            double[][] want = HfForward.logits(m, ids);
            double d = 0;
            for (int pos = 0; pos < ids.length; pos++) {
                for (int i = 0; i < want[pos].length; i++) d = Math.max(d, Math.abs(want[pos][i] - ref[pos][i]));
            }
            assertTrue(d > 100 * HF_TOL, "a LongRoPE mutant (" + (mutant == shortOnly ? "short factors" : "no attention factor")
                    + ") is within " + d + " of the CPU reference: the comparison cannot see it");
        }
    }

    private static Path sharedFile(String relative) {
        String prop = System.getProperty("kiln.shared");
        Path p = Path.of(prop != null ? prop : "../../shared").resolve(relative);
        if (!Files.isRegularFile(p)) {
            String why = p.toAbsolutePath().normalize() + " is absent: this case needs the shared test data (../shared beside the checkout)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) org.junit.jupiter.api.Assertions.fail(why);
            org.junit.jupiter.api.Assumptions.abort(why);
        }
        return p;
    }

    /** BOS, then SEQUENCE − 1 ids drawn from the non-special tokens. */
    private static int[] ids(long seed) {
        Random r = new Random(seed);
        int[] ids = new int[SEQUENCE];
        ids[0] = 1;
        for (int i = 1; i < ids.length; i++) ids[i] = 3 + r.nextInt(SyntheticModel.VOCAB - 3);
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
