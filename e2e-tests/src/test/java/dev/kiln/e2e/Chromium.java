package dev.kiln.e2e;

import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Real headless Chromium with WebGPU on SwiftShader, driven by Selenium. The driver and binary are given
 * explicitly so Selenium Manager never runs or downloads (see ../shared/notes/webgpu-on-cpu.md).
 */
final class Chromium implements AutoCloseable {
    static final String BINARY = "/usr/lib/chromium/chromium";
    static final String DRIVER = "/usr/bin/chromedriver";

    final ChromeDriver driver;
    private final Path profile;

    Chromium() throws IOException { this(List.of("--enable-unsafe-webgpu")); }

    /** @param webgpuArgs the WebGPU switches (a test of the no-WebGPU message passes ones that turn it off) */
    Chromium(List<String> webgpuArgs) throws IOException {
        if (!new File(BINARY).canExecute() || !new File(DRIVER).canExecute()) {
            fail("headless Chromium is missing (" + BINARY + ", " + DRIVER + "): run ./kiln setup");
        }
        profile = Files.createTempDirectory("kiln-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY);
        options.addArguments(webgpuArgs);
        options.addArguments("--headless", "--no-sandbox", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER)).build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofMinutes(5));
    }

    Object js(String script, Object... args) { return ((JavascriptExecutor) driver).executeScript(script, args); }

    /** Polls a JS expression until it is truthy; fails with the page status when the time runs out. */
    void waitFor(String expression, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (Boolean.TRUE.equals(js("return !!(" + expression + ");"))) return;
            if (!expression.contains("'error'") && "error".equals(js(
                    "const s = document.getElementById('status'); return s ? s.dataset.state : null;"))) {
                // the page gave up: say why now instead of waiting out the timeout (unless the awaited state came
                // with the error, between the two reads)
                if (Boolean.TRUE.equals(js("return !!(" + expression + ");"))) return;
                break;
            }
            Thread.sleep(100);
        }
        fail("gave up waiting for " + expression + "; page status: " + js(
                "const s = document.getElementById('status'); return s ? s.dataset.state + ': ' + s.textContent : '?';")
                + "; console: " + consoleLines());
    }

    /** Console lines so far (each read drains Chromium's buffer, so keep what was read). */
    private final List<String> console = new ArrayList<>();

    List<String> consoleLines() {
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) console.add(e.getLevel() + " " + e.getMessage());
        return console;
    }

    @Override
    public void close() throws IOException {
        driver.quit();
        try (var walk = Files.walk(profile)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
