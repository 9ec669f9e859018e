package dev.kiln.cli;

import dev.kiln.server.ModelInput;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code kiln generate}: the compiled engine from the command line. Serves the model with the real server on a free
 * loopback port, then runs the engine where users run it: in Node with Dawn ({@code node/generate.mjs}, the JS build)
 * or in headless Chromium driving the demo page ({@link BrowserRuntime}, the Wasm GC build).
 */
@Command(name = "generate", mixinStandardHelpOptions = true, version = "kiln generate 0.1.0",
        header = "Generate text with the compiled engine in Node (Dawn) or headless Chromium.",
        description = {"Without --json the text streams to stdout. With --json the last line of stdout is one JSON"
                + " object: prompt_ids, ids, text, precision, adapter, load_ms, prefill_tps, decode_tps.",
                "--temperature 0 means greedy. Progress goes to stderr."})
public final class GenerateCommand implements Callable<Integer> {

    enum Runtime { node, browser }

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "<input>",
            description = "a packaged model folder (manifest.json), or a model packaged on the fly into the cache: a .gguf"
                    + " file, a Hugging Face folder, a .tar/.tar.gz/.tgz/.zip of either, or hf:ORG/NAME[@REVISION]")
    String model;

    @Option(names = "--hub-url", paramLabel = "<url>",
            description = "hub endpoint for hf: ids (default: $HF_ENDPOINT, else https://huggingface.co); HF_TOKEN is sent when set")
    URI hubUrl;

    @Option(names = "--prompt", required = true, paramLabel = "<text>", description = "the prompt")
    String prompt;

    @Option(names = "--max-tokens", defaultValue = "128", paramLabel = "<n>", description = "tokens to generate at most (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0.8", paramLabel = "<t>", description = "sampling temperature; 0 = greedy (default: ${DEFAULT-VALUE})")
    float temperature;

    @Option(names = "--top-k", defaultValue = "40", paramLabel = "<k>", description = "sample among the k most likely tokens; 0 = off (default: ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", paramLabel = "<p>", description = "nucleus sampling mass; 1 = off (default: ${DEFAULT-VALUE})")
    float topP;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "<s>", description = "random seed: same seed, same tokens (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--ignore-eos", description = "keep generating past the end-of-sequence token")
    boolean ignoreEos;

    @Option(names = "--runtime", defaultValue = "node", paramLabel = "<runtime>",
            description = "node (Dawn on lavapipe or the GPU, f16 where shader-f16 exists) or browser (headless Chromium, SwiftShader, f32) (default: ${DEFAULT-VALUE})")
    Runtime runtime;

    @Option(names = "--precision", defaultValue = "auto", paramLabel = "<p>", description = "auto, f16 or f32 (default: ${DEFAULT-VALUE})")
    String precision;

    @Option(names = "--json", description = "print the result as one JSON object on the last line of stdout")
    boolean json;

    @Option(names = "--cache-dir", paramLabel = "<dir>", description = "where packages made from model inputs are kept (default: $KILN_CACHE, else ~/.cache/kiln/packages)")
    Path cacheDir;

    @Option(names = "--verbose", description = "print stack traces of failures")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        try {
            ModelInput.of(model);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--model: " + e.getMessage());
        }
        if (!List.of("auto", "f16", "f32").contains(precision)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--precision must be auto, f16 or f32, got '" + precision + "'");
        }
        try (LocalModelServer server = LocalModelServer.start(model, cacheDir, hubUrl)) {
            return runtime == Runtime.node ? runNode(server.manifestUrl()) : new BrowserRuntime(err).run(server.url("/"), this);
        } catch (LocalModelServer.InputFailed e) {
            err.println("kiln generate: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
    }

    private int runNode(String manifestUrl) throws Exception {
        Path script = Path.of("node", "generate.mjs");
        if (!Files.exists(script) || !Files.isDirectory(Path.of("node", "node_modules", "webgpu"))) {
            spec.commandLine().getErr().println("kiln generate: the Node runtime needs node/generate.mjs and its packages: run ./kiln setup in the repository");
            return ExitCodes.IO;
        }
        List<String> cmd = new ArrayList<>(List.of("node", script.toString(), "--manifest", manifestUrl,
                "--prompt", prompt, "--max-tokens", Integer.toString(maxTokens),
                "--temperature", Float.toString(temperature), "--top-k", Integer.toString(topK),
                "--top-p", Float.toString(topP), "--seed", Long.toString(seed), "--precision", precision));
        if (ignoreEos) cmd.add("--ignore-eos");
        if (json) cmd.add("--json");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putIfAbsent("VK_ICD_FILENAMES", "/usr/share/vulkan/icd.d/lvp_icd.json");
        Process p = pb.start();
        // Through this command's writer, not inherited, so callers (kiln bench, tests) can capture the result.
        PrintWriter out = spec.commandLine().getOut();
        try (var in = new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8)) {
            char[] buf = new char[4096];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                out.flush();
            }
        }
        return p.waitFor();
    }

    /** The page's options object for the browser runtime (same keys as the engine API). */
    String optionsQuery() {
        return "top_k=" + topK + "&top_p=" + topP + "&seed=" + seed + (ignoreEos ? "&ignore_eos=1" : "")
                + ("auto".equals(precision) ? "" : "&precision=" + precision);
    }
}
