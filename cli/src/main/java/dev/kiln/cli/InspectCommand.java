package dev.kiln.cli;

import dev.kiln.packager.Quant;
import dev.kiln.packager.hub.Hub;
import dev.kiln.packager.inspect.Inspect;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code kiln inspect <input | packaged dir> [--json] [--quant q4] [--context N]}. */
@Command(name = "inspect", mixinStandardHelpOptions = true, version = "kiln inspect 0.1.0",
        header = "Show a model's architecture, size and estimated GPU memory.",
        description = {"The input is a packaged folder, a GGUF file, a Hugging Face folder, an archive or hf:ORG/NAME[@REV].",
                "Exit codes: 0 ok, 1 bug, 2 usage, 3 bad input, 4 I/O."})
public final class InspectCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<model>", description = "packaged folder, GGUF, Hugging Face folder, archive or hf: id")
    String model;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Option(names = "--quant", paramLabel = "q4|q8|f16|f32|keep", description = "estimate weights as packaged with this (default: keep)")
    String quant = "keep";

    @Option(names = "--context", paramLabel = "<n>", description = "positions for the KV cache estimate (default: the model's)")
    Integer context;

    @Option(names = "--hub-url", paramLabel = "<url>", description = "hub endpoint for hf: ids")
    URI hubUrl;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        try {
            Quant q = Quant.fromId(quant);
            if (context != null && context < 1) throw new IllegalArgumentException("--context must be positive, got " + context);
            Path input = Hub.resolve(model, hubUrl, new ProgressBar(err, System.console() != null, "download")::update);
            Inspect.Report r = Inspect.of(input, q, context);
            if (json) out.println(toJson(r));
            else Inspect.describe(r).forEach(out::println);
            out.flush();
            return ExitCodes.OK;
        } catch (IllegalArgumentException e) {
            err.println("kiln inspect: error: " + e.getMessage());
            err.flush();
            return ExitCodes.USAGE;
        } catch (IOException | RuntimeException e) {
            err.println("kiln inspect: error: " + (e instanceof NoSuchFileException n ? n.getFile() + ": no such file" : e.getMessage()));
            err.flush();
            return ExitCodes.of(e);
        }
    }

    static String toJson(Inspect.Report r) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = m.createObjectNode();
        o.put("name", r.name()).put("source", r.source()).put("architecture", r.config().architecture());
        ObjectNode c = o.putObject("config");
        c.put("dim", r.config().dim()).put("layers", r.config().layers()).put("heads", r.config().heads())
                .put("kv_heads", r.config().kvHeads()).put("head_size", r.config().headSize()).put("ffn", r.config().ffn())
                .put("vocab", r.config().vocab()).put("context", r.config().context())
                .put("tied_embeddings", r.config().tiedEmbeddings()).put("rope_style", r.config().ropeStyle().id());
        o.put("parameters", r.parameters());
        ObjectNode by = o.putObject("tensors_by_dtype");
        r.byDtype().forEach((d, s) -> by.putObject(d).put("tensors", s.tensors()).put("elements", s.elements()).put("bytes", s.bytes()));
        o.put("disk_bytes", r.diskBytes()).put("weight_bytes", r.weightBytes());
        o.putObject("largest_tensor").put("name", r.largest()).put("bytes", r.largestBytes());
        ObjectNode g = o.putObject("gpu");
        g.put("context", r.context()).put("kv_bytes_per_token_f32", r.kvBytesPerToken(4)).put("kv_bytes_per_token_f16", r.kvBytesPerToken(2))
                .put("scratch_bytes", r.scratchBytes()).put("total_bytes_f32", r.gpuBytes(4)).put("total_bytes_f16", r.gpuBytes(2));
        ObjectNode fits = o.putObject("fits");
        fits.put("binding_128MiB", r.fitsBinding());
        for (long limit : Inspect.BUFFER_LIMITS) {
            fits.put((limit >> 30) + "GiB_f32", r.gpuBytes(4) <= limit).put((limit >> 30) + "GiB_f16", r.gpuBytes(2) <= limit);
        }
        return m.writeValueAsString(o);
    }
}
