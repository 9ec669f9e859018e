package dev.kiln.cli;

import dev.kiln.generate.GenerationRequest;
import dev.kiln.json.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code kiln bench}: load time, prefill and decode speed of the compiled engine, measured by running one greedy
 * request several times per runtime, exactly as {@code kiln generate} runs it ({@link GenerateCommand#run}), and
 * reporting the median of each figure. The engine times itself with the wall clock around GPU work that it waits for
 * (a token is read back before the next starts).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, version = "kiln bench 0.1.0",
        header = "Measure load, prefill and decode speed of the engine (median of several runs).",
        description = {"Figures are the engine's own wall-clock timings, as `kiln generate --json` reports them.",
                "Software adapters (lavapipe, SwiftShader) are for correctness: their figures are not GPU figures."})
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--runtime", defaultValue = "node", paramLabel = "<runtime>",
            description = "node, browser or both (default: ${DEFAULT-VALUE})")
    String runtime;

    @Option(names = "--prompt", defaultValue = "Once upon a time, in a small village by the sea, there lived",
            paramLabel = "<text>", description = "the prompt (default: a 15-token sentence)")
    String prompt;

    @Option(names = "--tokens", defaultValue = "96", paramLabel = "<n>", description = "tokens to decode per run (default: ${DEFAULT-VALUE})")
    int tokens;

    @Option(names = "--repeat", defaultValue = "3", paramLabel = "<n>", description = "runs per runtime (default: ${DEFAULT-VALUE})")
    int repeat;

    @Mixin
    EngineOptions engine = new EngineOptions();

    @Option(names = "--json", description = "print the figures as one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<EngineOptions.Runtime> runtimes = switch (runtime) {
            case "node", "browser" -> List.of(EngineOptions.Runtime.valueOf(runtime));
            case "both" -> List.of(EngineOptions.Runtime.values());
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "--runtime must be node, browser or both, got '" + runtime + "'");
        };
        if (repeat < 1 || tokens < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--repeat and --tokens must be at least 1");
        // Greedy and past EOS, so every run decodes exactly --tokens tokens.
        GenerationRequest request = GenerationRequest.of(prompt).withMaxTokens(tokens).withIgnoreEos(true);
        PrintWriter err = spec.commandLine().getErr();
        List<Object> rows = new ArrayList<>();
        for (EngineOptions.Runtime rt : runtimes) {
            double[] load = new double[repeat], prefill = new double[repeat], decode = new double[repeat];
            EngineResult last = null;
            for (int i = 0; i < repeat; i++) {
                err.printf("kiln bench: %s run %d/%d%n", rt, i + 1, repeat);
                err.flush();
                last = GenerateCommand.run(model, rt, request, engine.precision, null, err);
                load[i] = last.loadMs();
                prefill[i] = last.prefillTps();
                decode[i] = last.decodeTps();
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("runtime", rt.name());
            row.put("adapter", last.adapter());
            row.put("precision", last.precision());
            row.put("prompt_tokens", last.promptTokens());
            row.put("decode_tokens", last.tokens());
            row.put("runs", repeat);
            row.put("load_ms", median(load));
            row.put("prefill_tps", median(prefill));
            row.put("decode_tps", median(decode));
            rows.add(row);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("model", model.model);
            all.put("results", rows);
            out.println(Json.write(all));
        } else {
            out.println("| runtime | adapter | precision | load ms | prefill tok/s | decode tok/s |");
            out.println("|---|---|---|---|---|---|");
            for (Object o : rows) {
                @SuppressWarnings("unchecked") Map<String, Object> r = (Map<String, Object>) o;
                out.printf("| %s | %s | %s | %.0f | %.1f | %.1f |%n", r.get("runtime"), r.get("adapter"), r.get("precision"),
                        (Double) r.get("load_ms"), (Double) r.get("prefill_tps"), (Double) r.get("decode_tps"));
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
