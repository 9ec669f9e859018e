package dev.kiln.cli;

import dev.kiln.generate.GenerationRequest;
import dev.kiln.json.Json;
import dev.kiln.packager.PackOptions;
import dev.kiln.packager.Packager;
import dev.kiln.packager.Quant;
import dev.kiln.packager.synthetic.SyntheticShape;
import dev.kiln.packager.synthetic.SyntheticSource;
import dev.kiln.server.ServerConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code kiln bench}: load, time to first token, prefill and decode speed and the GPU work per token of the compiled
 * engine, measured by running one greedy request per prompt length several times per runtime, exactly as
 * {@code kiln generate} runs it ({@link GenerateCommand#run}), and reporting the median of each figure. The engine
 * times itself with the wall clock around GPU work that it waits for; pipelines are created at load, so their
 * compilation ({@code compile_ms}, part of {@code load_ms}) is in no other figure.
 *
 * <p>GPU time per kernel role (both runtimes): after each run's generate the engine profiles one more decode token
 * (webclient's {@code Profile}): each role's dispatches of a token {@code --profile-repeats} times in one submit, timed
 * with the wall clock to the queue's completion, less an empty submit's time. Each row reports the median per role
 * ({@code gpu_ms_per_token_by_role}), the role's dispatches per token and the method ({@code gpu_time_method}). Roles
 * are timed alone, so their sum need not equal the decode time per token.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, version = "kiln bench 0.2.0",
        header = "Measure load, time to first token, prefill and decode speed of the engine (median of several runs).",
        description = {"Figures are the engine's own wall-clock timings; per-token work (dispatches, submits, bytes read"
                + " back) is what the engine encoded.",
                "GPU time per kernel role: after each run the engine times one more decode token role by role, each"
                + " role's dispatches --profile-repeats times in one submit, with the wall clock to the queue's completion,"
                + " less an empty submit's time (timestamp queries are optional and lavapipe's are unreliable). --json gives"
                + " gpu_ms_per_token_by_role, dispatches_per_token_by_role and gpu_time_method per row; the table lists the"
                + " roles by time with their share. Roles run alone: their sum need not equal the decode time per token.",
                "--runtime browser uses Chromium's SwiftShader (f32); KILN_BROWSER_ADAPTER=lavapipe runs it on Mesa lavapipe"
                + " (f16) through the test-only Chromium directory of e2e-tests/chromium-lavapipe/setup.sh.",
                "Software adapters (lavapipe, SwiftShader) are for correctness: their figures are not GPU figures."})
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "<input>", description = "a packaged model or any input `kiln generate` takes")
    String modelInput;

    @Option(names = "--synthetic", paramLabel = "<shape>",
            description = "instead of --model: a random-weight model of a real shape, packaged once into the cache dir:"
                    + " qwen2-0.5b, llama-3.2-1b, smollm2-360m, smollm2-135m or tiny")
    String synthetic;

    @Option(names = "--quant", defaultValue = "q4", paramLabel = "<type>",
            description = "storage type of the --synthetic model's matrices: q4, q8, f16 or f32 (default: ${DEFAULT-VALUE})")
    String quant;

    @Option(names = "--hub-url", paramLabel = "<url>", description = "hub endpoint for hf: ids")
    URI hubUrl;

    @Option(names = "--cache-dir", paramLabel = "<dir>",
            description = "where packages are kept (default: $KILN_CACHE, else ~/.cache/kiln/packages)")
    Path cacheDir;

    @Option(names = "--runtime", defaultValue = "node", paramLabel = "<runtime>",
            description = "node, browser or both (default: ${DEFAULT-VALUE})")
    String runtime;

    @Option(names = "--prompt-tokens", defaultValue = "64,256", split = ",", paramLabel = "<n>",
            description = "prompt lengths in tokens, one row each (default: ${DEFAULT-VALUE})")
    int[] promptTokens;

    @Option(names = "--tokens", defaultValue = "32", paramLabel = "<n>", description = "tokens to decode per run (default: ${DEFAULT-VALUE})")
    int tokens;

    @Option(names = "--chat-turns", paramLabel = "<n>",
            description = "instead of prompt lengths: one conversation of n turns on one engine (Node; the model needs a"
                    + " chat template — every --synthetic one has ChatML): time to first token and prefilled tokens per turn")
    int chatTurns;

    @Option(names = "--repeat", defaultValue = "3", paramLabel = "<n>", description = "runs per row (default: ${DEFAULT-VALUE})")
    int repeat;

    @Option(names = "--profile-repeats", defaultValue = "10", paramLabel = "<n>",
            description = "repeats of each kernel role's dispatches in the GPU time profile; 0 skips it (default: ${DEFAULT-VALUE})")
    int profileRepeats;

    @Mixin
    EngineOptions engine = new EngineOptions();

    @Option(names = "--json", description = "print the figures as one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<EngineOptions.Runtime> runtimes = switch (runtime) {
            case "node", "browser" -> List.of(EngineOptions.Runtime.valueOf(runtime));
            case "both" -> List.of(EngineOptions.Runtime.values());
            default -> throw usage("--runtime must be node, browser or both, got '" + runtime + "'");
        };
        if (repeat < 1 || tokens < 2) throw usage("--repeat must be at least 1 and --tokens at least 2");
        if (profileRepeats < 0) throw usage("--profile-repeats must be 0 (no profile) or more, got " + profileRepeats);
        for (int n : promptTokens) if (n < 1) throw usage("--prompt-tokens must be positive, got " + n);
        if ((modelInput == null) == (synthetic == null)) throw usage("give exactly one of --model and --synthetic");
        PrintWriter err = spec.commandLine().getErr();
        ModelOptions model = new ModelOptions();
        model.model = synthetic != null ? syntheticPackage(err).toString() : modelInput;
        model.hubUrl = hubUrl;
        model.cacheDir = cacheDir;

        if (chatTurns > 0) return chat(model, err);
        List<Object> rows = new ArrayList<>();
        CommandFailure stopped = null; // a row that failed: the rows before it are still printed, then the error
        rows:
        for (EngineOptions.Runtime rt : runtimes) {
            for (int n : promptTokens) {
                // Greedy and past EOS, so every run decodes exactly --tokens tokens.
                GenerationRequest request = GenerationRequest.ofIds(promptIds(n)).withMaxTokens(tokens).withIgnoreEos(true);
                EngineResult[] runs = new EngineResult[repeat];
                try {
                    for (int i = 0; i < repeat; i++) {
                        err.printf("kiln bench: %s, %d prompt tokens, run %d/%d%n", rt, n, i + 1, repeat);
                        err.flush();
                        runs[i] = GenerateCommand.run(model, rt, request, engine.precision, null, profileRepeats, err);
                    }
                } catch (CommandFailure e) {
                    String hint = e.exitCode == ExitCodes.BAD_INPUT
                            ? " (the engine refused the request: do --prompt-tokens " + n + " and --tokens " + tokens
                              + " fit the model's context?)" : "";
                    stopped = new CommandFailure(e.exitCode, rt + ", " + n + " prompt tokens: " + e.getMessage() + hint
                            + (rows.isEmpty() ? "" : "; the " + rows.size() + " row(s) before it are printed"));
                    break rows;
                }
                rows.add(row(rt, runs));
            }
        }
        if (stopped != null && rows.isEmpty()) throw stopped;
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("model", synthetic != null ? "synthetic:" + synthetic : modelInput);
            if (synthetic != null) all.put("quant", quant);
            all.put("decode_tokens", tokens);
            all.put("runs", repeat);
            all.put("results", rows);
            if (stopped != null) all.put("stopped", stopped.getMessage());
            out.println(Json.write(all));
        } else {
            out.println("| runtime | adapter | precision | prompt | load ms | compile ms | TTFT ms | prefill tok/s | decode tok/s"
                    + " | dispatches/token | submits/token | read B/token |");
            out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
            for (Object o : rows) {
                @SuppressWarnings("unchecked") Map<String, Object> r = (Map<String, Object>) o;
                @SuppressWarnings("unchecked") Map<String, Object> d = (Map<String, Object>) r.get("decode_per_token");
                out.printf("| %s | %s | %s | %s | %.0f | %.0f | %.0f | %.1f | %.2f | %.0f | %.0f | %.0f |%n", r.get("runtime"),
                        r.get("adapter"), r.get("precision"), r.get("prompt_tokens"), (Double) r.get("load_ms"),
                        (Double) r.get("compile_ms"), (Double) r.get("ttft_ms"), (Double) r.get("prefill_tps"),
                        (Double) r.get("decode_tps"), (Double) d.get("dispatches"), (Double) d.get("submits"),
                        (Double) d.get("read_bytes"));
            }
            printRoles(out, rows);
        }
        out.flush();
        if (stopped != null) throw stopped;
        return ExitCodes.OK;
    }

    /**
     * --chat-turns: {@code repeat} conversations of {@code chatTurns} turns, each on a fresh engine; per turn the median
     * time to first token, the prompt and prefilled token counts, and the decode speed. Each reply is exactly --tokens
     * long (past EOS), so the turns differ only in how much history the prompt carries. Last, the final turn's prompt
     * runs once more on a fresh engine: its time to first token without the cache.
     */
    private int chat(ModelOptions model, PrintWriter err) throws Exception {
        if (!runtime.equals("node")) throw usage("--chat-turns runs in Node: leave --runtime at node");
        double[][] ttft = new double[chatTurns][repeat], decode = new double[chatTurns][repeat];
        double[] cold = new double[repeat]; // the last turn's prompt on a fresh engine: what it costs without the cache
        int[] promptLen = new int[chatTurns], prefilled = new int[chatTurns];
        String adapterAndPrecision = "";
        try (LocalModelServer server = LocalModelServer.start(model.model, model.cacheDir, model.hubUrl)) {
            for (int run = 0; run < repeat; run++) {
                try (ChatCommand.Session s = ChatCommand.Session.start(server.manifestUrl(), engine.precision)) {
                    if (!s.info.bool("chat", false)) throw new CommandFailure(ExitCodes.BAD_INPUT, "--chat-turns needs a model with a chat template");
                    adapterAndPrecision = s.info.string("adapter", "") + " | " + s.info.string("precision", "");
                    List<GenerationRequest.Message> messages = new ArrayList<>();
                    messages.add(new GenerationRequest.Message("system", "You are a helpful assistant."));
                    for (int t = 0; t < chatTurns; t++) {
                        err.printf("kiln bench: conversation %d/%d, turn %d/%d%n", run + 1, repeat, t + 1, chatTurns);
                        err.flush();
                        messages.add(new GenerationRequest.Message("user", "Tell me one more thing about kilns, please (turn " + (t + 1) + ")."));
                        GenerationRequest r = GenerationRequest.ofMessages(messages).withMaxTokens(tokens).withIgnoreEos(true);
                        dev.kiln.json.JsonObject result = s.send(r, null);
                        dev.kiln.json.JsonObject usage = result.object("usage");
                        ttft[t][run] = usage.number("time_to_first_token_ms");
                        decode[t][run] = usage.number("decode_tps");
                        promptLen[t] = usage.integer("prompt_tokens");
                        prefilled[t] = usage.integer("prefilled_tokens");
                        String reply = dev.kiln.json.JsonObject.of(result.array("choices").get(0), "choice").object("message").string("content");
                        messages.add(new GenerationRequest.Message("assistant", reply));
                    }
                    messages.remove(messages.size() - 1);
                    try (ChatCommand.Session fresh = ChatCommand.Session.start(server.manifestUrl(), engine.precision)) {
                        err.printf("kiln bench: conversation %d/%d, the last turn again on a fresh engine%n", run + 1, repeat);
                        err.flush();
                        GenerationRequest r = GenerationRequest.ofMessages(messages).withMaxTokens(tokens).withIgnoreEos(true);
                        cold[run] = fresh.send(r, null).object("usage").number("time_to_first_token_ms");
                    }
                }
            }
        } catch (LocalModelServer.InputFailed e) {
            throw new CommandFailure(ExitCodes.BAD_INPUT, e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        List<Object> turns = new ArrayList<>();
        for (int t = 0; t < chatTurns; t++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("turn", t + 1);
            m.put("prompt_tokens", promptLen[t]);
            m.put("prefilled_tokens", prefilled[t]);
            m.put("ttft_ms", median(ttft[t]));
            m.put("decode_tps", median(decode[t]));
            turns.add(m);
        }
        if (json) {
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("model", synthetic != null ? "synthetic:" + synthetic : modelInput);
            all.put("reply_tokens", tokens);
            all.put("runs", repeat);
            all.put("turns", turns);
            all.put("last_turn_without_cache_ttft_ms", median(cold));
            out.println(Json.write(all));
        } else {
            out.println("adapter | precision: " + adapterAndPrecision);
            out.println("| turn | prompt tokens | prefilled | TTFT ms | decode tok/s |");
            out.println("|---|---|---|---|---|");
            for (Object o : turns) {
                @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) o;
                out.printf("| %s | %s | %s | %.0f | %.2f |%n", m.get("turn"), m.get("prompt_tokens"), m.get("prefilled_tokens"),
                        (Double) m.get("ttft_ms"), (Double) m.get("decode_tps"));
            }
            out.printf("turn %d's prompt on a fresh engine (no cache): TTFT %.0f ms%n", chatTurns, median(cold));
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** {@code n} prompt ids, all below 259 so that every vocabulary has them (byte tokens in SentencePiece ones). */
    static int[] promptIds(int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = 3 + (i * 37 + 11) % 256;
        return ids;
    }

    private Map<String, Object> row(EngineOptions.Runtime rt, EngineResult[] runs) {
        EngineResult last = runs[runs.length - 1];
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("runtime", rt.name());
        row.put("adapter", last.adapter());
        row.put("precision", last.precision());
        row.put("prompt_tokens", last.promptTokens());
        row.put("decode_tokens", last.tokens());
        row.put("load_ms", median(runs, EngineResult::loadMs));
        row.put("compile_ms", median(runs, EngineResult::compileMs));
        row.put("ttft_ms", median(runs, EngineResult::firstTokenMs));
        row.put("prefill_tps", median(runs, EngineResult::prefillTps));
        row.put("decode_tps", median(runs, EngineResult::decodeTps));
        // the work is the same every run: the last run's, per prompt token and per decoded token
        row.put("prefill_per_prompt_token", work(last.prefill(), last.promptTokens()));
        row.put("decode_per_token", work(last.decode(), last.tokens() - 1));
        EngineResult.Profile profile = last.profile();
        row.put("gpu_time_method", profile != null ? profile.method() : "not measured (--profile-repeats 0)");
        row.put("gpu_ms_per_token_by_role", profile != null ? medianByRole(runs) : null);
        row.put("dispatches_per_token_by_role", profile != null ? profile.dispatches() : null);
        return row;
    }

    /** Each role's median GPU ms per token over the runs, slowest first. */
    private static Map<String, Object> medianByRole(EngineResult[] runs) {
        Map<String, Double> median = new LinkedHashMap<>();
        for (String role : runs[runs.length - 1].profile().msPerToken().keySet()) {
            double[] ms = new double[runs.length];
            for (int i = 0; i < runs.length; i++) ms[i] = runs[i].profile().msPerToken().get(role);
            median.put(role, median(ms));
        }
        Map<String, Object> sorted = new LinkedHashMap<>();
        median.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** The table's second part: per row, the kernel roles by GPU time per token (slowest first) and their share. */
    @SuppressWarnings("unchecked")
    private static void printRoles(PrintWriter out, List<Object> rows) {
        String method = null;
        for (Object o : rows) {
            Map<String, Object> r = (Map<String, Object>) o;
            Map<String, Object> ms = (Map<String, Object>) r.get("gpu_ms_per_token_by_role");
            if (ms == null) continue;
            Map<String, Object> n = (Map<String, Object>) r.get("dispatches_per_token_by_role");
            if (method == null) {
                out.println();
                out.println("| runtime | prompt | kernel role | dispatches/token | GPU ms/token | share |");
                out.println("|---|---|---|---|---|---|");
            }
            method = (String) r.get("gpu_time_method");
            double total = 0;
            for (Object v : ms.values()) total += (Double) v;
            for (Map.Entry<String, Object> e : ms.entrySet()) {
                double v = (Double) e.getValue();
                out.printf("| %s | %s | %s | %s | %.3f | %.0f %% |%n", r.get("runtime"), r.get("prompt_tokens"), e.getKey(),
                        n.get(e.getKey()), v, total > 0 ? 100 * v / total : 0);
            }
        }
        if (method != null) out.println("GPU time per kernel role: " + method + "; roles timed alone, so the sum need not"
                + " equal the decode time per token.");
    }

    private static Map<String, Object> work(EngineResult.Work w, int per) {
        Map<String, Object> m = new LinkedHashMap<>();
        double n = Math.max(1, per);
        m.put("dispatches", w.dispatches() / n);
        m.put("submits", w.submits() / n);
        m.put("read_bytes", w.readBytes() / n);
        return m;
    }

    /** The --synthetic model's package in the cache, written on first use. */
    private Path syntheticPackage(PrintWriter err) throws Exception {
        SyntheticShape shape;
        Quant q;
        try {
            shape = SyntheticShape.named(synthetic);
            q = Quant.fromId(quant);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        if (q == Quant.KEEP) throw usage("--quant keep makes no sense for a synthetic model: use q4, q8, f16 or f32");
        Path dir = (cacheDir != null ? cacheDir : ServerConfig.defaultCacheDir())
                .resolve("synthetic-" + shape.name() + "-" + q.id() + "-v3");
        if (!Files.isRegularFile(dir.resolve(Packager.MANIFEST_FILE))) {
            err.printf("kiln bench: packaging a random-weight %s (%s) into %s%n", shape.name(), q.id(), dir);
            err.flush();
            try (SyntheticSource src = new SyntheticSource(shape, 1)) {
                Packager.pack(src, dir, PackOptions.defaults().withQuant(q), Packager.Progress.NONE);
            }
        }
        return dir;
    }

    private static double median(EngineResult[] runs, java.util.function.ToDoubleFunction<EngineResult> f) {
        double[] xs = new double[runs.length];
        for (int i = 0; i < runs.length; i++) xs[i] = f.applyAsDouble(runs[i]);
        return median(xs);
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
