package dev.kiln.csp;

import dev.kiln.demo.DemoInputs;
import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import dev.kiln.reference.Ops;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The assembled site (target/site) in real headless Chromium under exactly the backend's CSP — no 'unsafe-eval':
 * both engine builds run the kernel check in the engine's module Worker with numbers equal to core's CPU twin and
 * no violation in the console; every precompiled @JSBody function is exactly its body; a body missing from the table
 * fails the load naming it; and TeaVM's unpatched runtime, served under the same policy, is refused (so the policy is really enforced here
 * and the patch is what makes the difference).
 */
class CspPageTest {
    /** 256-term dot products summed in another order on the GPU: a few f32 ulps (as e2e KernelCheckPageTest). */
    static final double TOLERANCE = 1e-4;

    static StaticServer site;
    static Browser browser;

    @BeforeAll
    static void start() throws IOException {
        site = new StaticServer(Engine.site(), Map.of());
        browser = new Browser();
    }

    @AfterAll
    static void stop() throws IOException {
        if (browser != null) browser.close();
        if (site != null) site.close();
    }

    @BeforeEach
    void drainConsole() { browser.console(); }

    @ParameterizedTest(name = "{0} build")
    @ValueSource(strings = {"wasm", "js"})
    void theKernelCheckRunsUnderTheStrictPolicy(String build) throws Exception {
        browser.driver.get(site.url("/index.html?build=" + build));
        browser.waitFor("document.getElementById('kernel').dataset.state !== 'pending'", Duration.ofMinutes(2));
        assertEquals("ok", browser.js("return document.getElementById('kernel').dataset.state;"),
                () -> "kernel check: " + browser.text("kernel") + "; status: " + browser.text("status"));
        assertEquals(build.equals("wasm") ? "WebAssembly GC" : "JavaScript", browser.text("build"));
        assertEquals("worker", browser.js("return document.getElementById('thread').dataset.thread;"),
                () -> "the engine should run in its module Worker under worker-src 'self': " + browser.text("thread"));

        JsonObject r = JsonObject.of(Json.parse((String) browser.js(
                "return document.getElementById('kernel').dataset.result;")), "kernel report");
        DemoInputs in = DemoInputs.standard();
        float[] f32 = new float[in.rows], q4 = new float[in.rows];
        Ops.matVec(f32, in.w, in.x, in.rows, in.cols);
        Ops.matVec(q4, in.q4AsFloats(), in.x, in.rows, in.cols);
        assertClose(f32, r.array("f32"), "f32 weights");
        assertClose(q4, r.array("q4"), "q4 weights");

        List<String> console = browser.console();
        List<String> violations = console.stream().filter(l -> l.contains("Content Security Policy")
                || l.contains("Content-Security-Policy") || l.contains("unsafe-eval")).toList();
        assertTrue(violations.isEmpty(), "CSP violations: " + violations);
        List<String> severe = console.stream().filter(l -> l.startsWith("SEVERE")).toList();
        assertTrue(severe.isEmpty(), "errors in the console: " + severe);
    }

    @Test
    void everyPrecompiledFunctionIsExactlyItsBody() throws Exception {
        browser.driver.get(site.url("/index.html?build=wasm"));
        String report = (String) browser.jsAsync("""
                const done = arguments[arguments.length - 1];
                import('/engine/wasm/kiln.jsbody.js').then((m) => {
                  const wrong = [];
                  for (const [key, fn] of m.kilnPrecompiledJsBodies) {
                    const cut = key.indexOf('\\n');
                    const params = key.slice(0, cut), body = key.slice(cut + 1);
                    const source = 'function(wrapCallFromJavaToJs' + (params ? ', ' + params.split(',').join(', ') : '')
                      + ') {\\n' + body + '\\n}';
                    if (typeof fn !== 'function' || String(fn) !== source) wrong.push(key);
                  }
                  done(JSON.stringify({ count: m.kilnPrecompiledJsBodies.size, wrong }));
                }, (e) => done('import failed: ' + e));
                """);
        JsonObject r = JsonObject.of(Json.parse(report), "jsbody report");
        int expected = JsBodies.extract(Files.readAllBytes(Engine.site().resolve("engine/wasm/kiln.wasm")))
                .bodies().size();
        assertEquals(expected, r.integer("count"), "functions in kiln.jsbody.js");
        assertEquals(List.of(), r.array("wrong"), "functions whose source is not their body");
    }

    @Test
    void theUnpatchedRuntimeIsRefusedUnderTheSamePolicy() throws Exception {
        var original = Engine.build().resolve("wasm").resolve(CspBuild.RUNTIME);
        try (StaticServer unpatched = new StaticServer(Engine.site(), Map.of("/engine/wasm/" + CspBuild.RUNTIME, original))) {
            browser.driver.get(unpatched.url("/index.html?build=wasm"));
            browser.waitFor("document.getElementById('status').dataset.state === 'error'"
                    + " || document.getElementById('kernel').dataset.state !== 'pending'", Duration.ofMinutes(2));
            String status = browser.text("status");
            assertTrue(status.contains("Content Security Policy") && status.contains("unsafe-eval"),
                    "expected the engine to fail on the CSP, status: " + status + ", kernel: " + browser.text("kernel"));
        }
    }

    @Test
    void aFunctionMissingFromTheTableFailsTheLoadNamingIt() throws Exception {
        List<JsBody> bodies = JsBodies.extract(Files.readAllBytes(Engine.site().resolve("engine/wasm/kiln.wasm")))
                .bodies();
        JsBody now = new JsBody(List.of(), "return performance.now();");
        assertTrue(bodies.contains(now), "the engine's Engine.now() body");
        var gap = Files.createTempFile("kiln.jsbody", ".js");
        try {
            Files.writeString(gap, JsBodyModule.render(bodies.stream().filter(b -> !b.equals(now)).toList()));
            try (StaticServer partial = new StaticServer(Engine.site(), Map.of("/engine/wasm/" + JsBodyModule.FILE, gap))) {
                browser.driver.get(partial.url("/index.html?build=wasm"));
                browser.waitFor("document.getElementById('status').dataset.state === 'error'"
                        + " || document.getElementById('kernel').dataset.state !== 'pending'", Duration.ofMinutes(2));
                String status = browser.text("status");
                assertTrue(status.contains("no precompiled @JSBody function () { return performance.now(); }"),
                        "expected the load to fail naming the missing body, status: " + status);
            }
        } finally {
            Files.delete(gap);
        }
    }

    static void assertClose(float[] expected, List<Object> actual, String what) {
        assertEquals(expected.length, actual.size(), what + ": result length");
        for (int i = 0; i < expected.length; i++) {
            double a = (Double) actual.get(i);
            double tol = TOLERANCE * Math.max(1, Math.abs(expected[i]));
            int row = i;
            assertTrue(Math.abs(a - expected[i]) <= tol, () -> what + " row " + row + ": GPU " + a + " vs CPU " + expected[row]);
        }
    }
}
