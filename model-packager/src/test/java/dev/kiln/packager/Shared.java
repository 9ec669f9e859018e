package dev.kiln.packager;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** The read-only test data in ../shared (system property {@code kiln.shared}); never copied into the repository. */
public final class Shared {
    private Shared() {}

    /** {@code ../shared/models/<relative>}; skips the test when absent, or fails it when CI=true. */
    public static Path model(String relative) {
        String prop = System.getProperty("kiln.shared");
        Path root = prop != null ? Path.of(prop) : Files.isDirectory(Path.of("../shared")) ? Path.of("../shared") : Path.of("../../shared");
        Path p = root.resolve("models").resolve(relative);
        if (!Files.isRegularFile(p)) {
            String why = p.toAbsolutePath().normalize() + " is absent: this test needs the shared model files (../shared beside the checkout)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) Assertions.fail(why);
            Assumptions.abort(why);
        }
        return p;
    }

    public static Path stories(String file) { return model("stories260K/" + file); }
}
