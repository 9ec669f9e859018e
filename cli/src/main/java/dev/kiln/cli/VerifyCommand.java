package dev.kiln.cli;

import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import dev.kiln.model.Manifest;
import dev.kiln.reference.CpuModel;
import dev.kiln.sample.Sampler;
import dev.kiln.server.ServedModel;
import dev.kiln.tokenizer.Tokenizer;
import dev.kiln.tokenizer.Vocabulary;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code kiln verify}: the GPU engine against the CPU reference on one model, teacher-forced. For each built-in prompt
 * the CPU reference ({@link CpuModel}, reading the packaged manifest and shards) picks a greedy continuation; the whole
 * sequence is then scored by the compiled engine in Node with Dawn ({@code node/generate.mjs --score}, one process
 * per prompt for all precisions) and every position's logits are compared with the reference's.
 *
 * <p>Agreement holds for a precision when the top-1 token is the same at every position except near-ties: positions
 * where the reference's own top-1 − top-2 margin is below {@link #nearTie} (f32 1e-3; f16 3e-2, since its KV cache is
 * f16 and moves logits by up to ~1e-2). Exit 0 when agreement holds for every precision asked, 3 otherwise.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, version = "kiln verify 0.1.0",
        header = "Compare the GPU engine's logits with the CPU reference, teacher-forced, on f16 and f32.",
        description = {"Prints max/mean |logit difference| and top-1 agreement per precision; --json prints one JSON object.",
                "Exit 0 when the top-1 tokens agree (near-ties excepted), 3 when they do not."})
public final class VerifyCommand implements Callable<Integer> {

    /** Built-in prompts: plain story text, dialogue, digits and punctuation. */
    static final List<String> PROMPTS = List.of("Once upon a time", "The little dog said: \"Hello!\"",
            "One day, Lily and Tom went to the park", "1, 2, 3, 4,", "She looked at the sky and");

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<model>", description = "a packaged model folder (manifest.json) or a model file (.gguf, Hugging Face folder), packaged on the fly into the cache")
    Path model;

    @Option(names = "--prompts", defaultValue = "3", paramLabel = "<n>", description = "how many built-in prompts (1.." + 5 + ", default: ${DEFAULT-VALUE})")
    int prompts;

    @Option(names = "--tokens", defaultValue = "16", paramLabel = "<n>", description = "greedy continuation per prompt, from the CPU reference (default: ${DEFAULT-VALUE})")
    int tokens;

    @Option(names = "--precision", defaultValue = "both", paramLabel = "<p>", description = "auto, f16, f32 or both (default: ${DEFAULT-VALUE})")
    String precision;

    @Option(names = "--json", description = "print the result as one JSON object on stdout")
    boolean json;

    @Option(names = "--cache-dir", paramLabel = "<dir>", description = "where packages made from model files are kept (default: $KILN_CACHE, else ~/.cache/kiln/packages)")
    Path cacheDir;

    @Option(names = "--verbose", description = "print stack traces of failures")
    boolean verbose;

    @Option(names = "--steps", description = "compare every stage's result (step and layer) at every position instead of only the logits, and report the first that differs beyond the tolerance (first prompt only)")
    boolean steps;

    @Option(names = "--kernel", paramLabel = "<role=file>", description = "with --steps: run this WGSL file instead of the built-in kernel of that role (e.g. mat_vec=my_mat_vec.wgsl; preludes kept); repeatable")
    List<String> kernels = new ArrayList<>();

    /** One precision's comparison over every scored position. */
    record Result(String precision, int positions, int agree, int nearTies, double maxDiff, double meanDiff, boolean ok) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("precision", precision);
            m.put("positions", positions);
            m.put("top1_agree", agree);
            m.put("near_ties", nearTies);
            m.put("max_abs_diff", maxDiff);
            m.put("mean_abs_diff", meanDiff);
            m.put("ok", ok);
            return m;
        }
    }

    /** The reference margin below which a different top-1 is a near-tie, not a failure. */
    static double nearTie(String precision) { return precision.equals("f16") ? 3e-2 : 1e-3; }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.exists(model)) throw new CommandLine.ParameterException(spec.commandLine(), "<model> " + model + " does not exist");
        if (prompts < 1 || prompts > PROMPTS.size()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--prompts must be 1.." + PROMPTS.size() + ", got " + prompts);
        }
        if (tokens < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--tokens must be at least 1, got " + tokens);
        String precisions = switch (precision) {
            case "both" -> "f16,f32";
            case "auto", "f16", "f32" -> precision;
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "--precision must be auto, f16, f32 or both, got '" + precision + "'");
        };
        Path script = Installation.requireNode("verify");

        if (!kernels.isEmpty() && !steps) throw new CommandLine.ParameterException(spec.commandLine(), "--kernel needs --steps");
        if (steps) return steps(err, Installation.root().resolve("node/trace.mjs"), precisions);

        Map<String, List<float[][]>> gpu = new LinkedHashMap<>();  // precision -> per prompt (positions, vocab)
        List<float[][]> cpuLogits = new ArrayList<>();
        String name;
        try (LocalModelServer server = LocalModelServer.start(model.toString(), cacheDir, null)) {
            name = server.model.manifest().name();
            CpuModel cpu = reference(server.model);
            Tokenizer tok = tokenizer(server.model);
            for (String prompt : PROMPTS.subList(0, prompts)) {
                int[] ids = teacher(cpu, tok.encode(prompt), cpuLogits);
                err.println("verify: '" + prompt + "': " + ids.length + " ids");
                for (Map.Entry<String, float[][]> e : score(script, server.manifestUrl(), precisions, ids).entrySet()) {
                    gpu.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
                }
            }
        } catch (LocalModelServer.InputFailed e) {
            err.println("kiln verify: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }

        List<Result> results = new ArrayList<>();
        for (Map.Entry<String, List<float[][]>> e : gpu.entrySet()) results.add(compare(e.getKey(), cpuLogits, e.getValue()));
        boolean ok = !results.isEmpty() && results.stream().allMatch(Result::ok);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("model", name);
            o.put("prompts", prompts);
            List<Object> rs = new ArrayList<>();
            for (Result r : results) rs.add(r.json());
            o.put("results", rs);
            o.put("ok", ok);
            out.println(Json.write(o));
        } else {
            out.println("verify " + name + ": " + prompts + " prompts, teacher-forced, GPU engine vs CPU reference");
            for (Result r : results) {
                out.printf("  %s: top-1 %d/%d (%d near-ties under %.0e), max |Δ| %.3e, mean |Δ| %.3e  %s%n", r.precision(),
                        r.agree(), r.positions(), r.nearTies(), nearTie(r.precision()), r.maxDiff(), r.meanDiff(),
                        r.ok() ? "ok" : "DISAGREES");
            }
        }
        out.flush();
        return ok ? ExitCodes.OK : ExitCodes.BAD_INPUT;
    }

    /** --steps: the first prompt and its greedy continuation, traced on the GPU and the CPU, compared stage by stage. */
    private int steps(PrintWriter err, Path script, String precisions) throws Exception {
        String name;
        List<Map<String, Object>> reports = new ArrayList<>();
        boolean ok = true;
        PrintWriter out = spec.commandLine().getOut();
        try (LocalModelServer server = LocalModelServer.start(model.toString(), cacheDir, null)) {
            name = server.model.manifest().name();
            CpuModel cpu = reference(server.model);
            Tokenizer tok = tokenizer(server.model);
            int[] ids = teacher(cpu, tok.encode(PROMPTS.get(0)), new ArrayList<>());
            err.println("verify --steps: '" + PROMPTS.get(0) + "': " + ids.length + " positions");
            List<dev.kiln.reference.StepTrace.Entry> reference = dev.kiln.reference.StepTrace.cpu(cpu, ids);
            if (!json) out.println("verify --steps " + name + ": " + ids.length + " positions, every stage, GPU plan vs CPU reference");
            for (var e : VerifySteps.gpu(script, server.manifestUrl(), precisions, ids, kernels).entrySet()) {
                var report = dev.kiln.reference.StepTrace.compare(reference, e.getValue(), VerifySteps.tolerance(e.getKey()));
                reports.add(VerifySteps.print(out, e.getKey(), report, json));
                ok &= report.ok();
            }
        } catch (LocalModelServer.InputFailed e) {
            err.println("kiln verify: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("model", name);
            o.put("results", new ArrayList<Object>(reports));
            o.put("ok", ok);
            out.println(Json.write(o));
        }
        out.flush();
        return ok ? ExitCodes.OK : ExitCodes.BAD_INPUT;
    }

    /**
     * Runs the prompt through the CPU reference and continues it greedily for {@link #tokens} tokens (within the
     * context); adds the logits of every position but the last to {@code logits} and returns the whole sequence.
     */
    private int[] teacher(CpuModel cpu, int[] prompt, List<float[][]> logits) {
        int context = cpu.config().context();
        if (prompt.length < 1 || prompt.length >= context) throw new IllegalArgumentException("a prompt of " + prompt.length + " tokens does not fit the context of " + context);
        int n = Math.min(context, prompt.length + tokens);
        int[] ids = java.util.Arrays.copyOf(prompt, n);
        float[][] rows = new float[n - 1][];
        cpu.reset();
        for (int pos = 0; pos < n - 1; pos++) {
            rows[pos] = cpu.forward(ids[pos], pos).clone();
            if (pos + 1 >= prompt.length) ids[pos + 1] = argmax(rows[pos]);
        }
        logits.add(rows);
        return ids;
    }

    /** node generate.mjs --score: one line per precision, {"precision", "logits": (ids.length − 1, vocab)}. */
    private static Map<String, float[][]> score(Path script, String url, String precisions, int[] ids) throws IOException, InterruptedException {
        List<Object> list = new ArrayList<>();
        for (int id : ids) list.add(id);
        ProcessBuilder pb = new ProcessBuilder("node", script.toString(), "--manifest", url, "--precision", precisions,
                "--score", Json.write(list)).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putIfAbsent("VK_ICD_FILENAMES", "/usr/share/vulkan/icd.d/lvp_icd.json");
        Process p = pb.start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        if (code != 0) throw new IllegalStateException("the engine failed to score (node exited " + code + "; its error is above)");
        Map<String, float[][]> out = new LinkedHashMap<>();
        for (String line : stdout.strip().split("\n")) {
            JsonObject o = JsonObject.of(Json.parse(line), "score");
            List<Object> rows = o.array("logits");
            float[][] logits = new float[rows.size()][];
            for (int r = 0; r < logits.length; r++) {
                List<?> row = (List<?>) rows.get(r);
                logits[r] = new float[row.size()];
                for (int i = 0; i < row.size(); i++) logits[r][i] = ((Number) row.get(i)).floatValue();
            }
            out.put(o.string("precision", precisions), logits);
        }
        return out;
    }

    /** Max/mean |Δ| and top-1 agreement of one precision's rows against the reference rows, prompt by prompt. */
    static Result compare(String precision, List<float[][]> reference, List<float[][]> engine) {
        int positions = 0, agree = 0, ties = 0;
        double max = 0, sum = 0;
        long count = 0;
        boolean finite = true;
        for (int p = 0; p < reference.size(); p++) {
            float[][] ref = reference.get(p), got = engine.get(p);
            if (ref.length != got.length) throw new IllegalStateException("the engine scored " + got.length + " positions, expected " + ref.length);
            for (int pos = 0; pos < ref.length; pos++) {
                for (int i = 0; i < ref[pos].length; i++) {
                    double d = Math.abs(got[pos][i] - ref[pos][i]);
                    if (!Double.isFinite(d)) finite = false;
                    max = Math.max(max, d);
                    sum += d;
                    count++;
                }
                positions++;
                int best = argmax(ref[pos]);
                if (argmax(got[pos]) == best) agree++;
                else if (margin(ref[pos], best) < nearTie(precision)) ties++;
            }
        }
        return new Result(precision, positions, agree, ties, max, count == 0 ? 0 : sum / count, finite && agree + ties == positions);
    }

    /** top-1 − top-2 of the reference. */
    private static double margin(float[] v, int best) {
        double second = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v.length; i++) if (i != best) second = Math.max(second, v[i]);
        return v[best] - second;
    }

    private static int argmax(float[] v) { return Sampler.argmax(v, v.length); }

    /** The CPU reference of the packaged model the server serves, read from its folder. */
    private static CpuModel reference(ServedModel served) {
        Manifest m = served.manifest();
        return CpuModel.load(m, i -> read(served.dir().resolve(m.shards().get(i).file())));
    }

    private static Tokenizer tokenizer(ServedModel served) throws IOException {
        String json = Files.readString(served.dir().resolve(served.manifest().tokenizer()), StandardCharsets.UTF_8);
        return Tokenizer.of(Vocabulary.fromJson(json), s -> Normalizer.normalize(s, Normalizer.Form.NFC));
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
