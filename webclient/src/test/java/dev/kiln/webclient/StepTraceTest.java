package dev.kiln.webclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import dev.kiln.model.Manifest;
import dev.kiln.packager.PackOptions;
import dev.kiln.packager.Packager;
import dev.kiln.recipe.Step;
import dev.kiln.reference.CpuModel;
import dev.kiln.reference.StepTrace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU plan stage by stage against the CPU reference (node/trace.mjs, what {@code kiln verify --steps} runs), on
 * stories260K teacher-forced: every stage result of every position agrees within the precision's tolerance; and with
 * SILU_MUL deliberately broken (the gate without its SiLU, through the --kernel override), the first divergence is
 * SILU_MUL in layer 0 at position 0 — the comparison names the broken kernel, not a later symptom.
 */
class StepTraceTest {
    /** "Once upon a time" and a few greedy tokens, as ids (BOS first). */
    private static final int[] IDS = {1, 403, 407, 261, 378, 60, 394, 267};
    private static final double F32_TOL = 1e-3, F16_TOL = 2e-2;  // the tolerances verify --steps uses

    @TempDir static Path packaged;
    static ModelServer server;
    static CpuModel cpu;
    static List<StepTrace.Entry> reference;
    static int launches; // of one position: the engine reports one stage result per launch

    @BeforeAll
    static void packageAndServe() throws Exception {
        Path gguf = NodeRunner.shared().resolve("models/stories260K/stories260K.gguf");
        NodeRunner.require(Files.exists(gguf), "the shared model is missing (" + gguf + ")");
        NodeRunner.requireNode();
        Path dir = packaged.resolve("stories");
        Packager.pack(gguf, dir, PackOptions.defaults());
        Manifest m = Manifest.fromJson(Files.readString(dir.resolve("manifest.json"), StandardCharsets.UTF_8));
        cpu = CpuModel.load(m, i -> read(dir.resolve(m.shards().get(i).file())));
        reference = StepTrace.cpu(cpu, IDS);
        dev.kiln.engine.Schedule s = dev.kiln.engine.Schedule.of(m);
        // launches with a result of their own (attention's chunks have none: the merge after them reports ATT)
        launches = (int) java.util.stream.Stream.concat(s.body().stream(), s.head().stream()).filter(l -> !l.stages().isEmpty()).count();
        server = new ModelServer(packaged);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void everyStageOfEveryPositionAgreesWithTheCpuReferenceOnF16AndF32() throws Exception {
        List<String> traces = trace("f16,f32");
        assertEquals(2, traces.size());
        for (String line : traces) {
            JsonObject o = JsonObject.of(Json.parse(line), "trace");
            String precision = o.string("precision");
            StepTrace.Report r = StepTrace.compare(reference, entries(o), precision.equals("f16") ? F16_TOL : F32_TOL);
            // one result per launch: a fused launch (ATT_NORM+Q+K+V, FFN_NORM+W1+W3+SILU_MUL) reports its last stage
            assertEquals(IDS.length * launches, r.compared());
            assertTrue(launches < cpu.recipe().stages().size(), "W3+SILU_MUL at least is fused");
            assertTrue(r.ok(), precision + ": first divergence at " + (r.ok() ? "" : r.firstDivergence().reference().label()
                    + ", relative " + r.firstDivergence().relative()));
            System.out.println(precision + ": " + r.compared() + " stage results; largest relative difference "
                    + r.largest().relative() + " at " + r.largest().reference().label());
        }
    }

    @Test
    void aBrokenKernelIsNamedAsTheFirstDivergingStep() throws Exception {
        // the SwiGLU gate runs in the FFN's pair mat-vec (FFN_NORM+W1+W3+SILU_MUL): drop its SiLU
        String good = Files.readString(NodeRunner.root().resolve("shaders/src/main/wgsl/mat_vec.wgsl"));
        String broken = good.replace("silu(s) * sums[k + 2u]", "s * sums[k + 2u]");
        assertTrue(!broken.equals(good), "the test must change the kernel's formula line");
        Path file = packaged.resolve("mat_vec_broken.wgsl");
        Files.writeString(file, broken);
        List<String> traces = trace("f32", "--kernel", "mat_vec=" + file);
        StepTrace.Report r = StepTrace.compare(reference, entries(JsonObject.of(Json.parse(traces.get(0)), "trace")), F32_TOL);
        assertNotNull(r.firstDivergence(), "a kernel without its SiLU must diverge");
        StepTrace.Entry at = r.firstDivergence().reference();
        assertEquals(Step.SILU_MUL, at.step());
        assertEquals(0, at.layer());
        assertEquals(0, at.pos());
    }

    private static List<String> trace(String precisions, String... extra) throws Exception {
        List<Object> ids = new ArrayList<>();
        for (int id : IDS) ids.add(id);
        List<String> args = new ArrayList<>(List.of("--manifest", server.url("stories/manifest.json"), "--precision",
                precisions, "--ids", Json.write(ids)));
        args.addAll(List.of(extra));
        NodeRunner.Result r = NodeRunner.run(300, "trace.mjs", args.toArray(new String[0]));
        assertEquals(0, r.exit(), "trace.mjs failed:\n" + r.stderr());
        return List.of(r.stdout().strip().split("\n"));
    }

    private static List<StepTrace.Entry> entries(JsonObject o) {
        List<StepTrace.Entry> out = new ArrayList<>();
        for (Object raw : o.array("steps")) {
            JsonObject s = JsonObject.of(raw, "step");
            List<Object> vs = s.array("values");
            float[] v = new float[vs.size()];
            for (int i = 0; i < v.length; i++) v[i] = ((Number) vs.get(i)).floatValue();
            out.add(new StepTrace.Entry(s.integer("pos"), Step.valueOf(s.string("step")), s.integer("layer"), v));
        }
        return out;
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
