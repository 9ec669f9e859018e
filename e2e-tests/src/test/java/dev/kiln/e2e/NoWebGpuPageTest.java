package dev.kiln.e2e;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** In a browser without WebGPU the page says so plainly, names what is needed, and hides the chat. */
class NoWebGpuPageTest {

    @Test
    void aBrowserWithoutWebGpuGetsAClearMessageInsteadOfTheChat() throws Exception {
        try (Site site = new Site(List.of());
             Chromium chromium = new Chromium(List.of("--disable-blink-features=WebGPU"))) {
            chromium.driver.get(site.url("/"));
            chromium.waitFor("!document.getElementById('nogpu').hidden", Duration.ofMinutes(1));
            String message = (String) chromium.js("return document.getElementById('nogpu').textContent;");
            assertTrue(message.contains("WebGPU is not available") && message.contains("Chrome or Edge 113"), message);
            assertTrue((Boolean) chromium.js("return document.getElementById('chat').hidden;"), "the chat is hidden");
            assertEquals("error", chromium.js("return document.getElementById('status').dataset.state;"));
            assertFalse(chromium.consoleLines().stream().anyMatch(l -> l.contains("Uncaught")), "no uncaught error");
        }
    }
}
