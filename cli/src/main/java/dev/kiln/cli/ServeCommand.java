package dev.kiln.cli;

import dev.kiln.packager.hub.Hub;
import dev.kiln.server.ModelCatalog;
import dev.kiln.server.Server;
import dev.kiln.server.ServerConfig;
import io.javalin.Javalin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code kiln serve}: package the given models if needed, then serve them with the demo site until SIGTERM; with
 * {@code KILN_ADMIN_TOKEN} set, also package models at runtime through the admin API.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, version = "kiln serve 0.1.0",
        header = "Serve the demo page and packaged models from one origin.",
        description = {"Model inputs (GGUF files, Hugging Face folders, .tar/.tar.gz/.tgz/.zip archives of either,"
                + " hf:ORG/NAME[@REV] hub ids) are packaged on start unless an up-to-date package is in the cache"
                + " (keyed by the input's content hash and the packager version, so a restart is instant); a folder"
                + " holding a manifest.json is served as is. A model that fails is reported and skipped.",
                "URLs: / (the site), /api/models (JSON list), /models/<id>/<file> (manifest, tokenizer, shards).",
                "Admin API: off unless the environment variable KILN_ADMIN_TOKEN is set (16+ characters). Then"
                + " POST /api/admin/models with 'Authorization: Bearer <token>' and {\"input\": \"<path or hf:id>\"}"
                + " packages a model at runtime, and GET /api/admin/jobs/<job>/events streams its progress"
                + " (Server-Sent Events). Paths must lie inside a --models-dir or --admin-root folder.",
                "Environment: KILN_HOST, KILN_PORT, KILN_CACHE, KILN_ADMIN_TOKEN, HF_ENDPOINT, HF_TOKEN.",
                "Stops gracefully on SIGTERM or Ctrl-C."})
public final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--host", defaultValue = "${env:KILN_HOST:-127.0.0.1}", paramLabel = "<host>",
            description = "interface to listen on (default: ${DEFAULT-VALUE}; env KILN_HOST). 0.0.0.0 exposes the server to the network.")
    String host;

    @Option(names = "--port", defaultValue = "${env:KILN_PORT:-8080}", paramLabel = "<port>",
            description = "TCP port (default: ${DEFAULT-VALUE}; env KILN_PORT; 0 picks a free one)")
    int port;

    @Option(names = "--model", paramLabel = "<input>",
            description = "a model to serve: a .gguf file, a Hugging Face folder (config.json, *.safetensors,"
                    + " tokenizer.json), a .tar/.tar.gz/.tgz/.zip of either, hf:ORG/NAME[@REVISION] (all packaged on"
                    + " start) or a packaged model folder (manifest.json). Repeatable.")
    List<String> models = new ArrayList<>();

    @Option(names = "--models-dir", paramLabel = "<dir>",
            description = "serve every model in this folder: .gguf files, archives, Hugging Face folders and packaged"
                    + " model folders (other entries are ignored). Repeatable.")
    List<Path> modelsDirs = new ArrayList<>();

    @Option(names = "--hub-url", paramLabel = "<url>",
            description = "hub endpoint for hf: ids (default: $HF_ENDPOINT, else https://huggingface.co); HF_TOKEN is"
                    + " sent when set; downloads are cached in $KILN_CACHE or ~/.cache/kiln/hub")
    URI hubUrl;

    @Option(names = "--admin-root", paramLabel = "<dir>",
            description = "a folder the admin API may package inputs from, besides the --models-dir folders."
                    + " Repeatable. The admin API itself is on only when KILN_ADMIN_TOKEN is set.")
    List<Path> adminRoots = new ArrayList<>();

    @Option(names = "--site-dir", paramLabel = "<dir>",
            description = "the built site folder (default: site/target/site in this installation)")
    Path siteDir = Installation.siteDir();

    @Option(names = "--cors-origin", paramLabel = "<origin>",
            description = "allow this origin (e.g. https://example.org) to fetch /models/… and /api/… cross-origin."
                    + " Repeatable. Default: CORS off.")
    List<String> corsOrigins = new ArrayList<>();

    @Option(names = "--allowed-host", paramLabel = "<name>",
            description = "when listening on a loopback address, also answer requests for this host name (by default only"
                    + " localhost and loopback addresses are answered, against DNS rebinding). Repeatable.")
    List<String> allowedHosts = new ArrayList<>();

    @Option(names = "--cache-dir", paramLabel = "<dir>",
            description = "where packages made from model inputs are kept (default: $KILN_CACHE, else ~/.cache/kiln/packages)")
    Path cacheDir;

    @Option(names = "--verbose", description = "print stack traces of failures")
    boolean verbose;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        ServerConfig config = new ServerConfig(host, port, siteDir, models, modelsDirs, corsOrigins,
                cacheDir != null ? cacheDir : ServerConfig.defaultCacheDir(), Hub.Options.fromEnvironment(hubUrl),
                System.getenv(ServerConfig.ADMIN_TOKEN_ENV), adminRoots, allowedHosts);
        err.println("kiln serve: effective configuration\n" + config.describe().indent(2).stripTrailing());
        err.flush();
        ModelCatalog catalog = ModelCatalog.prepare(config);
        Javalin app = Server.start(Server.create(config, catalog), config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Server.LOG.info("stopping (finishing requests in flight)");
            app.stop();
            stopped.countDown();
        }, "kiln-shutdown"));
        err.printf("kiln serve: listening on http://%s:%d/ — %d model(s) served, %d failed; Ctrl-C or SIGTERM stops%n",
                host.contains(":") ? "[" + host + "]" : host, app.port(), catalog.models().size(), catalog.failures().size());
        err.flush();
        stopped.await();
        return ExitCodes.OK;
    }
}
