package dev.kiln.cli;

import dev.kiln.generate.GenerationRequest;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs one generation in real headless Chromium: opens the served demo page with the request in its
 * {@code ?request=} hook (which fills the form), loads the model through it and generates through its form, exactly
 * as a person would, streaming the page's output. A profile, when asked for, then goes to the page's engine through
 * its test hook ({@code kilnPage.engine().profile}, the engine Worker's {@code profile} op). Selenium is given the
 * driver and binary explicitly so it never downloads anything.
 */
final class BrowserRuntime {
    static final String BINARY = System.getenv().getOrDefault("KILN_CHROMIUM", "/usr/lib/chromium/chromium");
    static final String DRIVER = System.getenv().getOrDefault("KILN_CHROMEDRIVER", "/usr/bin/chromedriver");
    /**
     * Test-only opt-in, {@code KILN_BROWSER_ADAPTER=lavapipe}: Chromium's WebGPU on Mesa lavapipe (f16) instead of its
     * SwiftShader, through the Chromium directory that {@code e2e-tests/chromium-lavapipe/setup.sh} builds
     * ({@code KILN_CHROMIUM_LAVAPIPE}, else ~/.cache/kiln/chromium-lavapipe).
     */
    static final boolean LAVAPIPE = "lavapipe".equals(System.getenv("KILN_BROWSER_ADAPTER"));
    static final Path LAVAPIPE_DIR = Path.of(System.getenv().getOrDefault("KILN_CHROMIUM_LAVAPIPE",
            System.getProperty("user.home") + "/.cache/kiln/chromium-lavapipe"));

    private final PrintWriter err;

    BrowserRuntime(PrintWriter err) { this.err = err; }

    /**
     * @param text           receives the text as the page shows it, or null
     * @param profileRepeats when positive, the page's engine then profiles one more decode token by kernel role with
     *                       this many repeats ({@link EngineResult#profile})
     * @return the page's result of the generation (the engine's result JSON)
     */
    EngineResult generate(String siteUrl, GenerationRequest request, EngineOptions.Precision precision,
                          Consumer<String> text, int profileRepeats) throws IOException, InterruptedException {
        String binary = LAVAPIPE ? LAVAPIPE_DIR.resolve("chromium").toString() : BINARY;
        if (LAVAPIPE && !Files.isRegularFile(LAVAPIPE_DIR.resolve("lavapipe_icd.json"))) {
            throw new CommandFailure(ExitCodes.IO, "KILN_BROWSER_ADAPTER=lavapipe needs the Chromium directory that"
                    + " e2e-tests/chromium-lavapipe/setup.sh builds; " + LAVAPIPE_DIR + " has none");
        }
        if (!new File(binary).canExecute() || !new File(DRIVER).canExecute()) {
            throw new CommandFailure(ExitCodes.IO, "the browser runtime needs Chromium (" + BINARY + ") and chromedriver ("
                    + DRIVER + "): run it through the ./kiln launcher, which installs them, or set KILN_CHROMIUM and KILN_CHROMEDRIVER");
        }
        Path profile = Files.createTempDirectory("kiln-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(binary);
        options.addArguments("--headless", "--no-sandbox", "--enable-unsafe-webgpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile);
        ChromeDriverService.Builder service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER));
        if (LAVAPIPE) {
            options.addArguments("--enable-webgpu-developer-features"); // the adapter's description names llvmpipe
            service.withEnvironment(Map.of("VK_ICD_FILENAMES", LAVAPIPE_DIR.resolve("lavapipe_icd.json").toString()));
        }
        ChromeDriver driver = new ChromeDriver(service.build(), options);
        try {
            // mode=completion: the prompt is continued as given, even for a model with a chat template
            driver.get(siteUrl + "?autoload=1&mode=completion&request=" + URLEncoder.encode(request.toJson(), StandardCharsets.UTF_8)
                    + (precision == EngineOptions.Precision.auto ? "" : "&precision=" + precision));
            JavascriptExecutor js = driver;
            String state = await(js, List.of("ready", "error"), "loading the model");
            if (!state.equals("ready")) throw failure(js);
            js.executeScript("document.getElementById('generate').click();");
            int printed = 0;
            while (true) {
                @SuppressWarnings("unchecked")
                Map<String, Object> s = (Map<String, Object>) js.executeScript(
                        "return {state: document.getElementById('status').dataset.state,"
                                + " text: document.getElementById('output').textContent,"
                                + " result: document.getElementById('output').dataset.result || null};");
                String shown = (String) s.get("text");
                if (text != null && shown.length() > printed) {
                    text.accept(shown.substring(printed));
                    printed = shown.length();
                }
                String st = (String) s.get("state");
                if (st.equals("done") || st.equals("stopped")) {
                    if (profileRepeats > 0) profile(js, profileRepeats);
                    return EngineResult.fromJson((String) js.executeScript(RESULT_JSON));
                }
                if (st.equals("error")) throw failure(js);
                Thread.sleep(50);
            }
        } finally {
            driver.quit();
            try (var walk = Files.walk(profile)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * Profiles the page's engine after its generation and leaves the profile in {@code globalThis.kilnProfile} for
     * {@link #RESULT_JSON}. Polled like the generation: one script awaiting it would meet Selenium's script timeout
     * (30 s by default), which a real model's profile in SwiftShader outlasts.
     */
    private void profile(JavascriptExecutor js, int repeats) throws InterruptedException {
        err.printf("page: profiling a decode token by kernel role (%d repeats)%n", repeats);
        err.flush();
        js.executeScript("const p = globalThis.kilnProfile = {value: null, error: null};"
                + " kilnPage.engine().profile(arguments[0]).then((v) => { p.value = v; },"
                + " (e) => { p.error = (e.kind || 'bug') + ': ' + e.message; });", repeats);
        long end = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (System.nanoTime() < end) {
            Object error = js.executeScript("const p = globalThis.kilnProfile; return p.value ? '' : p.error;");
            if ("".equals(error)) return;
            if (error != null) throw new CommandFailure(ExitCodes.BUG, "the page's engine failed to profile: " + error);
            Thread.sleep(100);
        }
        throw new IllegalStateException("timed out profiling in the browser");
    }

    /**
     * The page's completion result and model info as generate's --json line (the Node runtime's fields), with the
     * profile when {@link #profile} took one.
     */
    private static final String RESULT_JSON = """
            const r = JSON.parse(document.getElementById('output').dataset.result);
            const info = JSON.parse(document.getElementById('model-details').dataset.info);
            return JSON.stringify({prompt_ids: r.kiln.prompt_ids, ids: r.kiln.ids, text: r.text, precision: info.precision,
              adapter: info.adapter, load_ms: info.load_ms, prefill_tps: r.usage.prefill_tps,
              decode_tps: r.usage.decode_tps, first_token_ms: r.usage.time_to_first_token_ms,
              compile_ms: r.kiln.compile_ms, prefill_work: r.kiln.prefill_work, decode_work: r.kiln.decode_work,
              stopped: r.finish_reason === 'abort', profile: globalThis.kilnProfile?.value ?? undefined});
            """;

    private String await(JavascriptExecutor js, List<String> states, String what) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        String last = "";
        while (System.nanoTime() < end) {
            Object st = js.executeScript("const s = document.getElementById('status'); return s ? s.dataset.state + '\\n' + s.textContent : '';");
            String[] parts = String.valueOf(st).split("\n", 2);
            if (states.contains(parts[0])) return parts[0];
            if (parts.length > 1 && !parts[1].equals(last)) {
                last = parts[1];
                err.println("page: " + last);
                err.flush();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("timed out " + what + " in the browser");
    }

    private static CommandFailure failure(JavascriptExecutor js) {
        return new CommandFailure(ExitCodes.BAD_INPUT, "the page reports: "
                + js.executeScript("return document.getElementById('status').textContent;"));
    }
}
