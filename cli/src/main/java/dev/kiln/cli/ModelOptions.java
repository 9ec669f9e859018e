package dev.kiln.cli;

import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Path;

/** The model to run and where model inputs come from and go: {@code --model}, {@code --hub-url}, {@code --cache-dir}. */
final class ModelOptions {

    /** Refuses a --model that names no input kind (a missing file, a malformed hub id) before anything starts. */
    void check(picocli.CommandLine.Model.CommandSpec spec) {
        try {
            dev.kiln.server.ModelInput.of(model);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--model: " + e.getMessage());
        }
    }

    @Option(names = "--model", required = true, paramLabel = "<input>",
            description = "a packaged model folder (manifest.json), or a model packaged on the fly into the cache: a .gguf"
                    + " file, a Hugging Face folder, a .tar/.tar.gz/.tgz/.zip of either, or hf:ORG/NAME[@REVISION]")
    String model;

    @Option(names = "--hub-url", paramLabel = "<url>",
            description = "hub endpoint for hf: ids (default: $HF_ENDPOINT, else https://huggingface.co); HF_TOKEN is sent when set")
    URI hubUrl;

    @Option(names = "--cache-dir", paramLabel = "<dir>",
            description = "where packages made from model inputs are kept (default: $KILN_CACHE, else ~/.cache/kiln/packages)")
    Path cacheDir;
}
