package dev.kiln.e2e;

import dev.kiln.demo.DemoInputs;
import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import dev.kiln.reference.Ops;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo page runs the MAT_VEC kernel through the compiled Java engine in real headless Chromium (SwiftShader) —
 * the WebAssembly GC build and the JavaScript build — and the numbers it shows equal core's CPU twin.
 */
class KernelCheckPageTest {
    /** 256-term dot products summed in a different order on the GPU: a few f32 ulps of the partial sums. */
    static final double TOLERANCE = 1e-4;

    static Site site;
    static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        site = new Site(List.of());
        chromium = new Chromium();
    }

    @AfterAll
    static void stop() throws Exception {
        if (chromium != null) chromium.close();
        if (site != null) site.close();
    }

    @ParameterizedTest(name = "{0} build")
    @ValueSource(strings = {"wasm", "js"})
    void thePageShowsTheAdapterAndKernelResultsEqualToTheCpuTwin(String build) throws Exception {
        chromium.driver.get(site.url("/?build=" + build));
        chromium.waitFor("document.getElementById('kernel').dataset.state !== 'pending'", Duration.ofMinutes(2));
        assertEquals("ok", chromium.js("return document.getElementById('kernel').dataset.state;"),
                () -> "kernel check failed: " + chromium.js("return document.getElementById('kernel').textContent;"));
        String expectedBuild = build.equals("wasm") ? "WebAssembly GC" : "JavaScript";
        assertEquals(expectedBuild, chromium.js("return document.getElementById('build').textContent;"));

        JsonObject r = JsonObject.of(Json.parse((String) chromium.js(
                "return document.getElementById('kernel').dataset.result;")), "kernel report");
        assertTrue(r.string("adapter").toLowerCase().contains("swiftshader"), "adapter: " + r.string("adapter"));
        assertEquals("f32", r.string("precision"), "SwiftShader has no shader-f16");

        DemoInputs in = DemoInputs.standard();
        float[] f32 = new float[in.rows], q4 = new float[in.rows];
        Ops.matVec(f32, in.w, in.x, in.rows, in.cols);
        Ops.matVec(q4, in.q4AsFloats(), in.x, in.rows, in.cols);
        assertClose(f32, r.array("f32"), "f32 weights");
        assertClose(q4, r.array("q4"), "q4 weights");
    }

    static void assertClose(float[] expected, List<Object> actual, String what) {
        assertEquals(expected.length, actual.size(), what + ": result length");
        for (int i = 0; i < expected.length; i++) {
            double a = ((Double) actual.get(i));
            double tol = TOLERANCE * Math.max(1, Math.abs(expected[i]));
            int row = i;
            assertTrue(Math.abs(a - expected[i]) <= tol,
                    () -> what + " row " + row + ": GPU " + a + " vs CPU " + expected[row]);
        }
    }
}
