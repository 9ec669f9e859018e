package dev.kiln.cli;

import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Runs {@code kiln generate} in real headless Chromium: opens the served demo page, loads the model through it and
 * generates through its form, exactly as a person would, streaming the page's output to stdout. Selenium is given
 * the driver and binary explicitly so it never downloads anything.
 */
final class BrowserRuntime {
    static final String BINARY = System.getenv().getOrDefault("KILN_CHROMIUM", "/usr/lib/chromium/chromium");
    static final String DRIVER = System.getenv().getOrDefault("KILN_CHROMEDRIVER", "/usr/bin/chromedriver");

    private final PrintWriter err;

    BrowserRuntime(PrintWriter err) { this.err = err; }

    int run(String siteUrl, GenerateCommand g) throws IOException, InterruptedException {
        if (!new File(BINARY).canExecute() || !new File(DRIVER).canExecute()) {
            err.println("kiln generate: the browser runtime needs Chromium (" + BINARY + ") and chromedriver (" + DRIVER
                    + "): run ./kiln setup");
            return ExitCodes.IO;
        }
        Path profile = Files.createTempDirectory("kiln-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY);
        options.addArguments("--headless", "--no-sandbox", "--enable-unsafe-webgpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile);
        ChromeDriver driver = new ChromeDriver(
                new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER)).build(), options);
        try {
            // mode=completion: the prompt is continued as given, even for a model with a chat template
            driver.get(siteUrl + "?autoload=1&mode=completion&" + g.optionsQuery());
            JavascriptExecutor js = driver;
            String state = await(js, List.of("ready", "error"), "loading the model");
            if (!state.equals("ready")) return fail(js);
            js.executeScript("document.getElementById('prompt').value = arguments[0];"
                    + "document.getElementById('max-tokens').value = arguments[1];"
                    + "document.getElementById('temperature').value = arguments[2];"
                    + "document.getElementById('generate').click();", g.prompt, g.maxTokens, g.temperature);
            int printed = 0;
            PrintWriter out = g.spec.commandLine().getOut();
            while (true) {
                @SuppressWarnings("unchecked")
                Map<String, Object> s = (Map<String, Object>) js.executeScript(
                        "return {state: document.getElementById('status').dataset.state,"
                                + " text: document.getElementById('output').textContent,"
                                + " result: document.getElementById('output').dataset.result || null};");
                String text = (String) s.get("text");
                if (!g.json && text.length() > printed) {
                    out.print(text.substring(printed));
                    out.flush();
                    printed = text.length();
                }
                String st = (String) s.get("state");
                if (st.equals("done") || st.equals("stopped")) {
                    if (g.json) out.println(js.executeScript(RESULT_JSON));
                    else out.println();
                    out.flush();
                    return ExitCodes.OK;
                }
                if (st.equals("error")) return fail(js);
                Thread.sleep(50);
            }
        } finally {
            driver.quit();
            try (var walk = Files.walk(profile)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The page's completion result and model info as generate's --json line (the Node runtime's fields). */
    private static final String RESULT_JSON = """
            const r = JSON.parse(document.getElementById('output').dataset.result);
            const info = JSON.parse(document.getElementById('model-details').dataset.info);
            return JSON.stringify({prompt_ids: r.kiln.prompt_ids, ids: r.kiln.ids, text: r.text, precision: info.precision,
              adapter: info.adapter, load_ms: info.load_ms, prefill_tps: r.usage.prefill_tps,
              decode_tps: r.usage.decode_tps, stopped: r.finish_reason === 'abort'});
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

    private int fail(JavascriptExecutor js) {
        err.println("kiln generate: the page reports: " + js.executeScript("return document.getElementById('status').textContent;"));
        return ExitCodes.BAD_INPUT;
    }
}
