package dev.kiln.cli;

import dev.kiln.model.Manifest;
import dev.kiln.packager.ModelFormatException;
import dev.kiln.packager.PackOptions;
import dev.kiln.packager.PackResult;
import dev.kiln.packager.Packager;
import dev.kiln.packager.Quant;
import dev.kiln.packager.QuantError;
import dev.kiln.packager.hub.Hub;
import dev.kiln.packager.hub.HubId;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code kiln package <model> --out <dir> [--quant q4|q8|f16|f32] [--shard-size 32MB] [--hub-url URL]}: the model
 * is a GGUF file, a Hugging Face folder, a .tar/.tar.gz/.zip of either, or a hub id {@code hf:ORG/NAME[@REV]}
 * (downloaded into the cache first). Progress, per-tensor quantization error lines and a summary on stderr, the
 * output directory on stdout.
 */
@Command(name = "package", mixinStandardHelpOptions = true, version = "kiln package 0.1.0",
        header = "Shard and quantize a model (GGUF, Hugging Face folder, archive or hub id) for the browser.",
        description = {"Writes manifest.json, content-hashed shards and the tokenizer file into --out (atomically:"
                + " nothing is left behind on failure). See docs/format.md.",
                "Exit codes: 0 ok, 1 bug, 2 usage, 3 bad input, 4 I/O."})
public final class PackageCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<model>", description = "a GGUF file (v1–v3), a Hugging Face folder (config.json,"
            + " *.safetensors, tokenizer.json), a .tar/.tar.gz/.tgz/.zip holding either, or hf:ORG/NAME[@REVISION]")
    String model;

    @Option(names = "--hub-url", paramLabel = "<url>", description = "hub endpoint for hf: ids (default: $HF_ENDPOINT or"
            + " https://huggingface.co); HF_TOKEN is sent when set, downloads are cached in $KILN_CACHE or ~/.cache/kiln/hub")
    java.net.URI hubUrl;

    @Option(names = "--out", required = true, paramLabel = "<dir>",
            description = "output directory (absent, empty, or an earlier package, which is replaced)")
    Path out;

    @Option(names = "--quant", paramLabel = "q4|q8|f16|f32", converter = QuantConverter.class,
            description = "storage of weight matrices (default: keep the input's Q4_0/Q8_0/F16/F32; BF16 -> f32)."
                    + " Norm vectors stay f32; rows not a multiple of 32 stay f16 under q4/q8.")
    Quant quant = Quant.KEEP;

    @Option(names = "--shard-size", paramLabel = "<size>", defaultValue = "32MB", converter = ByteSize.class,
            description = "shard size cap, e.g. 32MB, 512KB (default: ${DEFAULT-VALUE}); a tensor is never split")
    long shardBytes;

    @Option(names = "--verbose", description = "print stack traces of failures")
    boolean verbose;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            boolean terminal = System.console() != null;
            Path input = Hub.resolve(model, hubUrl, new ProgressBar(err, terminal, "download")::update);
            ProgressBar bar = new ProgressBar(err, terminal, "package");
            long[] inputBytes = {0};
            PackResult r = Packager.pack(input, out, new PackOptions(quant, shardBytes), (done, total, tensor) -> {
                inputBytes[0] = total;
                bar.update(done, total, tensor);
            });
            for (QuantError q : r.errors()) err.println(q.describe());
            Manifest m = r.manifest();
            double worst = 0;
            for (QuantError q : r.errors()) worst = Math.max(worst, q.maxAbs());
            err.printf("packaged %s: %d tensors in %d shard%s (%s), largest error %.3e, in %d ms (%.1f MB/s of input) -> %s%n",
                    input.getFileName(), m.tensors().size(), m.shards().size(), m.shards().size() == 1 ? "" : "s",
                    ByteSize.format(m.weightBytes()), worst, r.millis(),
                    inputBytes[0] / 1e6 / Math.max(1e-3, r.millis() / 1e3), r.dir());
            err.flush();
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.println(r.dir());
            stdout.flush();
            return ExitCodes.OK;
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException && HubId.isHubId(model)) {
                err.println("kiln package: error: " + e.getMessage());
                err.flush();
                return ExitCodes.USAGE;
            }
            err.println("kiln package: error: " + message(e));
            if (verbose) e.printStackTrace(err);
            err.flush();
            return ExitCodes.of(e);
        }
    }

    private static String message(Throwable e) {
        if (e instanceof NoSuchFileException n) return n.getFile() + ": no such file";
        if (e instanceof IOException) return e.getClass().getSimpleName() + ": " + e.getMessage();
        if (e instanceof ModelFormatException) return e.getMessage();
        return "unexpected " + e + " (a bug: please report it, with --verbose output)";
    }

    /** {@code --quant}: q4, q8, f16, f32 (keep is the default and may be written out). */
    static final class QuantConverter implements CommandLine.ITypeConverter<Quant> {
        @Override
        public Quant convert(String value) {
            try {
                return Quant.fromId(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
