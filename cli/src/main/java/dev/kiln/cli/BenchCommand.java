package dev.kiln.cli;

import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code kiln bench}: load time, prefill and decode speed of the compiled engine, measured by running
 * {@code kiln generate --json} several times per runtime and reporting the median of each figure. The engine times
 * itself with the wall clock around GPU work that it waits for (a token is read back before the next starts).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, version = "kiln bench 0.1.0",
        header = "Measure load, prefill and decode speed of the engine (median of several runs).",
        description = {"Figures are the engine's own wall-clock timings, reported by `kiln generate --json`.",
                "Software adapters (lavapipe, SwiftShader) are for correctness: their figures are not GPU figures."})
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "<input>",
            description = "anything `kiln generate --model` takes: a packaged folder, a .gguf file, a Hugging Face folder,"
                    + " an archive or hf:ORG/NAME[@REVISION]")
    String model;

    @Option(names = "--hub-url", paramLabel = "<url>", description = "hub endpoint for hf: ids (default: $HF_ENDPOINT, else https://huggingface.co)")
    String hubUrl;

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

    @Option(names = "--precision", defaultValue = "auto", paramLabel = "<p>", description = "auto, f16 or f32 (default: ${DEFAULT-VALUE})")
    String precision;

    @Option(names = "--json", description = "print the figures as one JSON object")
    boolean json;

    @Override
    public Integer call() {
        List<String> runtimes = switch (runtime) {
            case "node", "browser" -> List.of(runtime);
            case "both" -> List.of("node", "browser");
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "--runtime must be node, browser or both, got '" + runtime + "'");
        };
        if (repeat < 1 || tokens < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--repeat and --tokens must be at least 1");
        PrintWriter err = spec.commandLine().getErr();
        List<Object> rows = new ArrayList<>();
        for (String rt : runtimes) {
            double[] load = new double[repeat], prefill = new double[repeat], decode = new double[repeat];
            JsonObject last = null;
            for (int i = 0; i < repeat; i++) {
                err.printf("kiln bench: %s run %d/%d%n", rt, i + 1, repeat);
                err.flush();
                StringWriter captured = new StringWriter();
                CommandLine generate = new CommandLine(new GenerateCommand());
                generate.setOut(new PrintWriter(captured, true));
                generate.setErr(err);
                List<String> args = new ArrayList<>(List.of("--model", model, "--prompt", prompt, "--max-tokens",
                        Integer.toString(tokens), "--temperature", "0", "--ignore-eos", "--runtime", rt,
                        "--precision", precision, "--json"));
                if (hubUrl != null) args.addAll(List.of("--hub-url", hubUrl));
                int code = generate.execute(args.toArray(String[]::new));
                if (code != ExitCodes.OK) return code;
                String[] lines = captured.toString().strip().split("\n");
                last = JsonObject.of(Json.parse(lines[lines.length - 1]), "generate result");
                load[i] = last.number("load_ms");
                prefill[i] = last.number("prefill_tps");
                decode[i] = last.number("decode_tps");
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("runtime", rt);
            row.put("adapter", last.string("adapter"));
            row.put("precision", last.string("precision"));
            row.put("prompt_tokens", last.array("prompt_ids").size());
            row.put("decode_tokens", last.array("ids").size());
            row.put("runs", repeat);
            row.put("load_ms", median(load));
            row.put("prefill_tps", median(prefill));
            row.put("decode_tps", median(decode));
            rows.add(row);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("model", model);
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
