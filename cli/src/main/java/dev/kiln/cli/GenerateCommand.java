package dev.kiln.cli;

import dev.kiln.generate.GenerationRequest;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * {@code kiln generate}: the compiled engine from the command line. Serves the model with the real server on a free
 * loopback port, then runs the engine where users run it: in Node with Dawn ({@code node/generate.mjs}, the JS build)
 * or in headless Chromium driving the demo page ({@link BrowserRuntime}, the Wasm GC build). The options build one
 * {@link GenerationRequest}, sent to the engine as it is.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, version = "kiln generate 0.1.0",
        header = "Generate text with the compiled engine in Node (Dawn) or headless Chromium.",
        description = {"Without --json the text streams to stdout. With --json the last line of stdout is one JSON"
                + " object: prompt_ids, ids, text, precision, adapter, load_ms, prefill_tps, decode_tps.",
                "The defaults are the engine's: greedy (--temperature 0) and at most 128 tokens. Progress goes to stderr."})
public final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--prompt", required = true, paramLabel = "<text>", description = "the prompt")
    String prompt;

    @Mixin
    GenerationOptions generation = new GenerationOptions();

    @Option(names = "--runtime", paramLabel = "<runtime>",
            description = "node (Dawn on lavapipe or the GPU, f16 where shader-f16 exists) or browser (headless Chromium, SwiftShader, f32) (default: ${DEFAULT-VALUE})")
    EngineOptions.Runtime runtime = EngineOptions.Runtime.node;

    @Mixin
    EngineOptions engine = new EngineOptions();

    @Option(names = "--json", description = "print the result as one JSON object on the last line of stdout")
    boolean json;

    @Option(names = "--verbose", description = "print stack traces of failures")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        model.check(spec);
        GenerationRequest request = generation.request(prompt);
        PrintWriter out = spec.commandLine().getOut();
        EngineResult result = run(model, runtime, request, engine.precision, json ? null : NodeRuntime.to(out),
                0, spec.commandLine().getErr());
        if (json) out.println(result.json());
        else if (runtime == EngineOptions.Runtime.browser) out.println();
        out.flush();
        return ExitCodes.OK;
    }

    /**
     * Serves the model and runs one request on a runtime: how {@code generate} and {@code bench} both run the engine.
     *
     * @param text           receives the text as it is generated, or null
     * @param profileRepeats when positive (and text is null), the engine then profiles one more decode token by kernel
     *                       role ({@link EngineResult#profile}; {@code bench}), in either runtime
     * @param err            where the browser runtime reports the page's progress
     * @return the engine's result; null only when the Node runtime streamed the text
     */
    static EngineResult run(ModelOptions model, EngineOptions.Runtime runtime, GenerationRequest request,
                            EngineOptions.Precision precision, Consumer<String> text, int profileRepeats,
                            PrintWriter err) throws Exception {
        try (LocalModelServer server = LocalModelServer.start(model.model, model.cacheDir, model.hubUrl)) {
            return switch (runtime) {
                case node -> NodeRuntime.generate(server.manifestUrl(), request, precision, text, profileRepeats);
                case browser -> new BrowserRuntime(err).generate(server.url("/"), request, precision, text,
                        text == null ? profileRepeats : 0);
            };
        } catch (LocalModelServer.InputFailed e) {
            throw new CommandFailure(ExitCodes.BAD_INPUT, e.getMessage());
        }
    }
}
