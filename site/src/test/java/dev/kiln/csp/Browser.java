package dev.kiln.csp;

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
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Real headless Chromium with WebGPU on SwiftShader, driven by Selenium with the driver and binary given explicitly
 * (Selenium Manager never runs); the same flags as e2e-tests' Chromium (../shared/notes/webgpu-on-cpu.md).
 */
final class Browser implements AutoCloseable {
    static final String BINARY = "/usr/lib/chromium/chromium";
    static final String DRIVER = "/usr/bin/chromedriver";

    final ChromeDriver driver;
    private final Path profile;

    Browser() throws IOException {
        if (!new File(BINARY).canExecute() || !new File(DRIVER).canExecute()) {
            fail("headless Chromium is missing (" + BINARY + ", " + DRIVER + "): run ./kiln test, which installs it");
        }
        profile = Files.createTempDirectory("kiln-csp-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY);
        options.addArguments("--headless", "--no-sandbox", "--enable-unsafe-webgpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        driver = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER)).build(),
                options);
        driver.manage().timeouts().scriptTimeout(Duration.ofMinutes(2));
    }

    Object js(String script, Object... args) { return ((JavascriptExecutor) driver).executeScript(script, args); }

    Object jsAsync(String script, Object... args) { return ((JavascriptExecutor) driver).executeAsyncScript(script, args); }

    /** Polls a JS expression until it is truthy; fails with the page status and console when time runs out. */
    void waitFor(String expression, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (Boolean.TRUE.equals(js("return !!(" + expression + ");"))) return;
            Thread.sleep(100);
        }
        fail("timed out waiting for " + expression + "; status: " + text("status") + "; console: " + console());
    }

    String text(String id) { return (String) js("return document.getElementById(arguments[0]).textContent;", id); }

    /** Console lines since the last call (Chromium's buffer drains on each read). */
    List<String> console() {
        List<String> lines = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) lines.add(e.getLevel() + " " + e.getMessage());
        return lines;
    }

    @Override
    public void close() throws IOException {
        driver.quit();
        try (var walk = Files.walk(profile)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
