package dev.kiln.webclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import dev.kiln.demo.DemoInputs;
import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import dev.kiln.reference.Ops;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The compiled engine (JS build, Node + Dawn on lavapipe) runs the MAT_VEC kernel on the demo inputs; the numbers
 * must match core's CPU twin on the same inputs, regenerated here from the seed.
 */
class FoundationDemoTest {
    /** GPU and CPU sum 256 products in different orders: f32 rounding differs by a few ulps of the partial sums. */
    static final double TOLERANCE = 1e-4;

    static JsonObject report;

    @BeforeAll
    static void runDemo() throws Exception {
        NodeRunner.requireNode();
        NodeRunner.Result r = NodeRunner.run(120, "demo.mjs");
        assertEquals(0, r.exit(), "demo.mjs failed:\n" + r.stderr());
        report = JsonObject.of(Json.parse(r.lastLine()), "demo report");
    }

    @Test
    void theF32MatVecOnTheGpuEqualsTheCpuTwin() {
        DemoInputs in = DemoInputs.standard();
        float[] expected = new float[in.rows];
        Ops.matVec(expected, in.w, in.x, in.rows, in.cols);
        assertClose(expected, report.array("f32"), "f32");
    }

    @Test
    void theQ4MatVecOnTheGpuEqualsTheCpuTwinOnDequantizedWeights() {
        DemoInputs in = DemoInputs.standard();
        float[] expected = new float[in.rows];
        Ops.matVec(expected, in.q4AsFloats(), in.x, in.rows, in.cols);
        assertClose(expected, report.array("q4"), "q4");
    }

    @Test
    void theReportNamesTheAdapterAndPicksF16WhereTheAdapterHasShaderF16() {
        assertTrue(report.string("adapter").length() > 0, "adapter description");
        List<Object> features = report.array("features");
        assertEquals(features.contains("shader-f16") ? "f16" : "f32", report.string("precision"));
        assertEquals(DemoInputs.ROWS, report.integer("rows"));
        assertEquals(DemoInputs.COLS, report.integer("cols"));
        assertEquals(DemoInputs.SEED, report.integer("seed"));
    }

    private static void assertClose(float[] expected, List<Object> actual, String what) {
        assertEquals(expected.length, actual.size(), what + " length");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double a = (Double) actual.get(i);
            double err = Math.abs(a - expected[i]) / Math.max(1.0, Math.abs(expected[i]));
            worst = Math.max(worst, err);
            assertTrue(err <= TOLERANCE, what + " y[" + i + "] = " + a + " but the CPU twin says " + expected[i]);
        }
        System.out.println(what + ": " + expected.length + " rows within " + TOLERANCE + " (worst relative error " + worst + ")");
    }
}
