package dev.kiln.webclient;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a script of ../node with Node and Dawn on lavapipe; skips (fails under CI=true) where that is missing. */
final class NodeRunner {
    static final String LAVAPIPE = "/usr/share/vulkan/icd.d/lvp_icd.json";

    record Result(int exit, String stdout, String stderr) {
        String lastLine() {
            String[] lines = stdout.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    /** The repository root: kiln.root when it holds node/, else the parent of this module (surefire runs in it). */
    static Path root() {
        String r = System.getProperty("kiln.root");
        if (r != null && Files.isDirectory(Path.of(r, "node"))) return Path.of(r);
        return Path.of("").toAbsolutePath().getParent();
    }

    /** ../shared: kiln.shared when it exists, else beside the repository root. */
    static Path shared() {
        String s = System.getProperty("kiln.shared");
        if (s != null && Files.isDirectory(Path.of(s))) return Path.of(s).normalize();
        return root().resolve("../shared").normalize();
    }

    /** Skips the test (or fails it under CI=true) with {@code why} when {@code ok} is false. */
    static void require(boolean ok, String why) {
        if ("true".equals(System.getenv("CI"))) {
            if (!ok) throw new AssertionError("required under CI: " + why);
        }
        assumeTrue(ok, why);
    }

    static void requireNode() {
        require(Files.isDirectory(root().resolve("node/node_modules/webgpu")),
                "Dawn for Node is not installed (run ./kiln setup): node/node_modules/webgpu is missing");
        require(Files.exists(Path.of(LAVAPIPE)), "Mesa lavapipe is not installed (" + LAVAPIPE + "); run ./kiln setup");
        require(Files.exists(root().resolve("webclient/target/webclient/js/kiln.js")),
                "the JS build is missing: build the webclient module first");
    }

    static Result run(long timeoutSeconds, String script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("node", root().resolve("node").resolve(script).toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root().toFile());
        pb.environment().put("VK_ICD_FILENAMES", LAVAPIPE);
        Path out = Files.createTempFile("kiln-node", ".out");
        Path err = Files.createTempFile("kiln-node", ".err");
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(script + " did not finish in " + timeoutSeconds + " s; stderr:\n"
                        + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
