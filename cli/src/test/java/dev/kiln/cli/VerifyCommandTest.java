package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code kiln verify}: stories260K end to end on the Node engine, and the agreement rule on its own. */
class VerifyCommandTest {

    @Test
    void stories260KAgreesWithTheCpuReferenceOnF16AndF32(@TempDir Path tmp) {
        Path root = Path.of(System.getProperty("kiln.root", Path.of("").toAbsolutePath().getParent().toString()));
        Path shared = Path.of(System.getProperty("kiln.shared", root.resolve("../shared").toString()));
        Path gguf = shared.resolve("models/stories260K/stories260K.gguf");
        require(Files.exists(gguf), "the shared model is missing (" + gguf + ")");
        require(Files.isDirectory(root.resolve("node/node_modules/webgpu")), "Dawn for Node is not installed (./kiln setup)");
        require(Files.exists(root.resolve("webclient/target/webclient/js/kiln.js")), "the webclient JS build is missing: build webclient first");
        require(Files.exists(Path.of("/usr/share/vulkan/icd.d/lvp_icd.json")), "Mesa lavapipe is not installed (./kiln setup)");
        String before = System.getProperty("kiln.root");
        System.setProperty("kiln.root", root.toString());
        try {
            KilnCliTest.Run r = KilnCliTest.run("verify", gguf.toString(), "--prompts", "2", "--json", "--cache-dir", tmp.toString());
            assertEquals(0, r.code(), r.err() + r.out());
            JsonObject o = JsonObject.of(Json.parse(r.out().strip()), "verify");
            assertTrue(o.bool("ok", false));
            List<Object> results = o.array("results");
            assertEquals(2, results.size());
            for (Object x : results) {
                JsonObject p = JsonObject.of(x, "result");
                assertEquals(p.integer("positions"), p.integer("top1_agree"), p.string("precision") + ": every position agrees");
                assertTrue(p.number("max_abs_diff") < (p.string("precision").equals("f16") ? 5e-2 : 1e-3), p.map().toString());
            }
            System.out.println(r.out().strip());
        } finally {
            if (before == null) System.clearProperty("kiln.root");
            else System.setProperty("kiln.root", before);
        }
    }

    /**
     * {@code verify --steps}: every stage agrees with the real kernels (exit 0); with the SwiGLU gate broken in MAT_VEC
     * (the launch that performs FFN_NORM, W1, W3 and SILU_MUL) through {@code --kernel}, it names SILU_MUL in layer 0 at position 0 as
     * the first divergence (exit 3).
     */
    @Test
    void stepsNamesTheFirstDivergingStepWhenAKernelIsBroken(@TempDir Path tmp) throws Exception {
        Path root = Path.of(System.getProperty("kiln.root", Path.of("").toAbsolutePath().getParent().toString()));
        Path shared = Path.of(System.getProperty("kiln.shared", root.resolve("../shared").toString()));
        Path gguf = shared.resolve("models/stories260K/stories260K.gguf");
        require(Files.exists(gguf), "the shared model is missing (" + gguf + ")");
        require(Files.isDirectory(root.resolve("node/node_modules/webgpu")), "Dawn for Node is not installed (./kiln setup)");
        require(Files.exists(root.resolve("webclient/target/webclient/js/kiln.js")), "the webclient JS build is missing: build webclient first");
        require(Files.exists(Path.of("/usr/share/vulkan/icd.d/lvp_icd.json")), "Mesa lavapipe is not installed (./kiln setup)");
        String good = Files.readString(root.resolve("shaders/src/main/wgsl/mat_vec.wgsl"));
        String bad = good.replace("silu(s) * sums[k + 2u]", "s * sums[k + 2u]");
        assertFalse(bad.equals(good), "the test must change the gate's formula line");
        Path broken = Files.writeString(tmp.resolve("mat_vec.wgsl"), bad);
        String before = System.getProperty("kiln.root");
        System.setProperty("kiln.root", root.toString());
        try {
            KilnCliTest.Run ok = KilnCliTest.run("verify", gguf.toString(), "--steps", "--tokens", "3", "--json",
                    "--cache-dir", tmp.resolve("cache").toString());
            assertEquals(0, ok.code(), ok.err() + ok.out());
            assertTrue(JsonObject.of(Json.parse(ok.out().strip()), "verify").bool("ok", false), ok.out());

            KilnCliTest.Run r = KilnCliTest.run("verify", gguf.toString(), "--steps", "--tokens", "3", "--precision", "f32",
                    "--kernel", "mat_vec=" + broken, "--cache-dir", tmp.resolve("cache").toString());
            assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err() + r.out());
            assertTrue(r.out().contains("first divergence at SILU_MUL/L0 at position 0"), r.out());
            System.out.println(r.out().strip());
        } finally {
            if (before == null) System.clearProperty("kiln.root");
            else System.setProperty("kiln.root", before);
        }
    }

    @Test
    void aDifferentTopOneIsAFailureUnlessTheReferenceHadANearTie() {
        float[][] ref = {{0f, 5f, 1f}, {2f, 2.0005f, 0f}};
        float[][] same = {{0f, 5.01f, 1f}, {2f, 2.0004f, 0f}};
        float[][] tieFlip = {{0f, 5f, 1f}, {2.001f, 2.0005f, 0f}};
        float[][] realFlip = {{0f, 5f, 6f}, {2f, 2.0005f, 0f}};
        VerifyCommand.Result ok = VerifyCommand.compare("f32", List.<float[][]>of(ref), List.<float[][]>of(same));
        assertTrue(ok.ok());
        assertEquals(2, ok.agree());
        assertEquals(0.01, ok.maxDiff(), 1e-6);
        VerifyCommand.Result tie = VerifyCommand.compare("f32", List.<float[][]>of(ref), List.<float[][]>of(tieFlip));
        assertTrue(tie.ok(), "margin 5e-4 < 1e-3 is a near-tie");
        assertEquals(1, tie.nearTies());
        assertFalse(VerifyCommand.compare("f16", List.<float[][]>of(ref), List.<float[][]>of(realFlip)).ok(), "margin 4 is no tie");
        assertFalse(VerifyCommand.compare("f32", List.<float[][]>of(ref), List.<float[][]>of(new float[][] {{0f, Float.NaN, 1f}, {2f, 2.0005f, 0f}})).ok());
    }

    private static void require(boolean ok, String why) {
        if ("true".equals(System.getenv("CI")) && !ok) throw new AssertionError("required under CI: " + why);
        assumeTrue(ok, why);
    }
}
