package dev.kiln.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Progress off a terminal: plain lines (no carriage returns), each with the task, a rate and the label. */
class ProgressBarTest {

    @Test
    void offATerminalProgressIsPlainLinesEndingAtAFullBar() {
        StringWriter log = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(log), false, "download");
        for (long done = 0; done <= 1000; done += 100) bar.update(done * 1024, 1000 * 1024, "model-00001-of-00002.safetensors");
        String text = log.toString();
        assertTrue(text.contains("download [########################] 100%") && text.contains("model-00001-of-00002.safetensors"), text);
        assertFalse(text.contains("\r"), "no carriage returns off a terminal");
        assertTrue(text.lines().allMatch(l -> l.startsWith("download ") && l.contains("/s")), text);
    }
}
