package dev.kiln.cli;

import dev.kiln.packager.hub.Hub;
import dev.kiln.server.ModelCatalog;
import dev.kiln.server.ServedModel;
import dev.kiln.server.ServerConfig;
import dev.kiln.server.StaticExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code kiln export}: the whole site as static files — page, both engine builds, service worker, packaged models and
 * {@code models.json} — for any web server, under any sub-path (docs/self-hosting.md).
 */
@Command(name = "export", mixinStandardHelpOptions = true, version = "kiln export 0.1.0",
        header = "Write a static site (page, engine, service worker, models) any web server can host.",
        description = {"Packages each --model as 'serve' does (using the package cache), then writes into --out: the"
                + " built site, models/<id>/ (manifest, tokenizer, shards) and models.json (what /api/models answers,"
                + " with URLs relative to the page, so the folder works under a sub-path).",
                "Serve it with the headers in docs/self-hosting.md (CSP with 'wasm-unsafe-eval', application/wasm,"
                + " Range requests)."})
public final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "<input>",
            description = "a model to include: a .gguf file, a Hugging Face folder, an archive, hf:ORG/NAME[@REV] or a"
                    + " packaged model folder. Repeatable.")
    List<String> models = new ArrayList<>();

    @Option(names = "--out", required = true, paramLabel = "<dir>", description = "a new or empty folder to write")
    Path out;

    @Option(names = "--site-dir", paramLabel = "<dir>",
            description = "the built site folder (default: site/target/site in this installation)")
    Path siteDir = Installation.siteDir();

    @Option(names = "--hub-url", paramLabel = "<url>", description = "hub endpoint for hf: ids (default: $HF_ENDPOINT, else https://huggingface.co)")
    URI hubUrl;

    @Option(names = "--cache-dir", paramLabel = "<dir>",
            description = "where packages made from model inputs are kept (default: $KILN_CACHE, else ~/.cache/kiln/packages)")
    Path cacheDir;

    @Option(names = "--verbose", description = "print stack traces of failures")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        ServerConfig config = new ServerConfig("127.0.0.1", 0, siteDir, models, List.of(), List.of(),
                cacheDir != null ? cacheDir : ServerConfig.defaultCacheDir(), Hub.Options.fromEnvironment(hubUrl),
                null, List.of());
        ModelCatalog catalog = ModelCatalog.prepare(config);
        if (!catalog.failures().isEmpty()) {
            throw new CommandFailure(ExitCodes.BAD_INPUT, "not exported: " + catalog.failures());
        }
        long bytes = StaticExport.write(catalog, siteDir, out);
        for (ServedModel m : catalog.models()) err.println("kiln export: models/" + m.id() + "/ (" + m.manifest().name() + ")");
        err.printf("kiln export: %s written (%.1f MB): serve it with any web server, see docs/self-hosting.md%n", out, bytes / 1e6);
        err.flush();
        spec.commandLine().getOut().println(out.toAbsolutePath());
        return ExitCodes.OK;
    }
}
