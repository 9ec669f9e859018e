package dev.kiln.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where this {@code kiln} is installed, so that its Node scripts and built site are found whatever the working
 * directory: the system property {@code kiln.root} (the launcher and the test runner set it), else the checkout
 * these classes were loaded from ({@code <root>/cli/target/classes} or a jar in {@code <root>/cli/target}).
 */
final class Installation {
    private Installation() {}

    static Path root() {
        String prop = System.getProperty("kiln.root");
        if (prop != null && !prop.isEmpty()) return Path.of(prop).toAbsolutePath().normalize();
        try {
            Path here = Path.of(Installation.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = here; p != null; p = p.getParent()) {
                if (Files.isRegularFile(p.resolve("kiln")) && Files.isDirectory(p.resolve("node"))) return p;
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // no code source: fall through to the working directory
        }
        return Path.of("").toAbsolutePath();
    }

    /** {@code node/generate.mjs}: the compiled engine's runner in Node with Dawn. */
    static Path generateScript() { return root().resolve("node/generate.mjs"); }

    /** The built demo site the browser runtime opens and {@code kiln serve} serves. */
    static Path siteDir() { return root().resolve("site/target/site"); }

    /**
     * The Node runtime's files, or an I/O failure saying how to get them: the launcher installs the packages
     * before any command that runs the engine.
     */
    static Path requireNode(String command) {
        Path script = generateScript();
        if (!Files.isRegularFile(script) || !Files.isDirectory(root().resolve("node/node_modules/webgpu"))) {
            throw new CommandFailure(ExitCodes.IO, "the Node runtime needs " + script + " and its packages in "
                    + root().resolve("node/node_modules") + ": run it through the ./kiln launcher, which installs them ("
                    + root().resolve("kiln") + " " + command + " …)");
        }
        return script;
    }
}
