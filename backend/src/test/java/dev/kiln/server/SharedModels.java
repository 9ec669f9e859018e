package dev.kiln.server;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real test models in ../shared (never copied into the repository). */
public final class SharedModels {
    private SharedModels() {}

    /** {@code kiln.shared} (set by the parent pom), else ../shared beside the repository root. */
    public static Path shared() {
        String prop = System.getProperty("kiln.shared");
        if (prop != null && Files.isDirectory(Path.of(prop))) return Path.of(prop);
        return repoRoot().resolve("../shared").normalize();
    }

    /** The repository root: {@code kiln.root} when set, else the parent of the module folder tests run in. */
    public static Path repoRoot() {
        String root = System.getProperty("kiln.root");
        return root != null && Files.isDirectory(Path.of(root, "backend")) ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
    }

    /** stories260K.gguf; the test is skipped (with the reason) when ../shared is absent, and fails under CI=true. */
    public static Path stories260K() {
        return require(shared().resolve("models/stories260K/stories260K.gguf"));
    }

    /** stories260K as a Hugging Face folder (config.json, model.safetensors, tokenizer.json, tokenizer_config.json). */
    public static Path stories260KHf() {
        return require(shared().resolve("models/stories260K/hf"));
    }

    private static Path require(Path p) {
        if (!Files.exists(p)) {
            String why = p.toAbsolutePath() + " is absent: the shared test models (../shared) are not beside this checkout";
            if ("true".equals(System.getenv("CI"))) throw new AssertionError(why);
            Assumptions.abort(why);
        }
        return p;
    }
}
