package dev.kiln.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo page, served with the backend's strict CSP, runs both builds without a single violation in the log. */
class ContentSecurityPolicyPageTest {
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
    void theStrictPolicyHoldsAndNothingIsBlocked(String build) throws Exception {
        HttpResponse<Void> page = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(site.url("/"))).build(), HttpResponse.BodyHandlers.discarding());
        String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.contains("script-src 'self' 'wasm-unsafe-eval'") && !csp.contains("'unsafe-eval'")
                && !csp.contains("unsafe-inline"), "policy: " + csp);

        chromium.driver.get(site.url("/?build=" + build));
        chromium.waitFor("document.getElementById('kernel').dataset.state !== 'pending'", Duration.ofMinutes(2));
        assertEquals("ok", chromium.js("return document.getElementById('kernel').dataset.state;"),
                () -> "kernel check: " + chromium.js("return document.getElementById('kernel').textContent;"));
        List<String> violations = chromium.consoleLines().stream()
                .filter(l -> l.contains("Content Security Policy") || l.contains("Content-Security-Policy")).toList();
        assertTrue(violations.isEmpty(), "CSP violations: " + violations);
        List<String> severe = chromium.consoleLines().stream().filter(l -> l.startsWith("SEVERE")).toList();
        assertTrue(severe.isEmpty(), "errors in the console: " + severe);
    }
}
