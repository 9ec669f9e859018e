package dev.kiln.cli;

import dev.kiln.server.SharedModels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code ./kiln} launcher in a checkout that was moved (a stand-in checkout in a scratch folder, holding the real
 * launcher, built files as empty stand-ins, and a classpath.txt written where it was built before): it must run this
 * checkout's jars, rebuild when they are missing, and install a runtime's Node packages only when they are missing.
 * Maven and npm are stubs that record their calls, so this stays fast.
 */
class LauncherTest {
    static final String V = "0.1.0-SNAPSHOT";

    @TempDir
    Path tmp;
    Path root;
    Path calls;

    record Run(int code, String out, String err) {}

    @BeforeEach
    void movedCheckout() throws IOException {
        root = tmp.resolve("moved/kiln");
        calls = tmp.resolve("calls.log");
        Files.createDirectories(root);
        Files.copy(SharedModels.repoRoot().resolve("kiln"), root.resolve("kiln"));
        for (String m : List.of("core", "backend", "cli", "site")) file(m + "/pom.xml");
        file("pom.xml");
        file("cli/target/classes/dev/kiln/cli/Kiln.class");
        file("core/target/core-" + V + ".jar");
        file("backend/target/backend-" + V + ".jar");
        Files.createDirectories(root.resolve("site/target/site/engine"));
        Files.createDirectories(root.resolve("node/node_modules/webgpu"));
        file("node/package-lock.json");
        Path thirdParty = file("../../m2/org/example/lib/1.0/lib-1.0.jar");
        // As Maven wrote it where the checkout was built: a reactor path of the old checkout, an installed copy of a
        // module in the shared local repository, and a third-party jar.
        String written = String.join(":", "/old/place/kiln/core/target/core-" + V + ".jar",
                tmp.resolve("m2/dev/kiln/backend/" + V + "/backend-" + V + ".jar").toString(), thirdParty.normalize().toString());
        Path cp = file("cli/target/classpath.txt");
        Files.writeString(cp, written + "\n");
        // Everything older than the classpath, as after a build.
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(3600)));
        }
        Files.setLastModifiedTime(cp, FileTime.from(Instant.now()));
        Files.setLastModifiedTime(file("node/node_modules/.package-lock.json"), FileTime.from(Instant.now()));
        stub("mvn");
        stub("npm");
    }

    @Test
    void aMovedCheckoutRunsItsOwnJarsNotTheOriginals() throws Exception {
        Run r = launch("classpath");
        assertEquals(0, r.code(), r.err());
        assertEquals(String.join(":", root + "/cli/target/classes", root + "/core/target/core-" + V + ".jar",
                root + "/backend/target/backend-" + V + ".jar", tmp.resolve("m2/org/example/lib/1.0/lib-1.0.jar").toString()),
                r.out().strip());
        assertFalse(Files.exists(calls), "no rebuild was needed");
    }

    @Test
    void aMissingJarInTheMovedCheckoutRebuilds() throws Exception {
        Files.delete(root.resolve("core/target/core-" + V + ".jar"));
        Run r = launch("classpath");
        assertTrue(r.err().contains("core-" + V + ".jar is missing"), r.err());
        assertTrue(Files.readString(calls).contains("mvn -B -q -DskipTests install"), "rebuilt: " + Files.readString(calls));
    }

    @Test
    void generateInstallsTheNodePackagesOnlyWhenMissing() throws Exception {
        launch("generate", "--help");
        assertFalse(Files.exists(calls), "help installs nothing");
        launch("generate", "--model", "m.gguf", "--prompt", "x");
        assertFalse(Files.exists(calls) && Files.readString(calls).contains("npm"), "the packages are there: no npm");
        Files.delete(root.resolve("node/node_modules/webgpu"));
        launch("generate", "--model", "m.gguf", "--prompt", "x");
        assertTrue(Files.readString(calls).contains("npm ci"), "installed the missing packages");
    }

    private Path file(String relative) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        if (!Files.exists(p)) Files.createFile(p);
        return p;
    }

    /** A stand-in for a tool: records "name args" and fails, so a rebuild or install would be seen and go no further. */
    private void stub(String name) throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin")).resolve(name);
        Files.writeString(bin, "#!/bin/sh\necho \"" + name + " $*\" >> '" + calls + "'\nexit 1\n");
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Run launch(String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Stream.concat(Stream.of("bash", root.resolve("kiln").toString()), Stream.of(args)).toList())
                .directory(tmp.toFile());
        Map<String, String> env = pb.environment();
        env.put("PATH", tmp.resolve("bin") + ":" + env.get("PATH"));
        env.put("KILN_MVN", tmp.resolve("bin/mvn").toString());
        Path out = tmp.resolve("out.txt"), err = tmp.resolve("err.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher finished");
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
