package dev.kiln.server;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How much the server logs and streams while packaging and downloading. */
class ProgressLogTest {

    /** Feeds {@code tensors} equal tensors of {@code bytesEach} through a packaging log; returns the log lines. */
    private static List<String> packaging(int tensors, long bytesEach, List<ProgressReport> reports) {
        List<String> lines = new ArrayList<>();
        ProgressLog log = new ProgressLog("model", "packaging", tensors, reports::add, lines::add);
        for (int i = 1; i <= tensors; i++) log.update(i * bytesEach, tensors * bytesEach, "t" + i);
        return lines;
    }

    @Test
    void aTinyModelLogsALinePerTenPercentNotPerTensor() {
        List<ProgressReport> reports = new ArrayList<>();
        List<String> lines = packaging(200, 5_000, reports);
        assertEquals(10, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(9).contains("100% (1.0 of 1.0 MB, 200/200 tensors) t200"), lines.get(9));
        assertEquals(200, reports.size(), "the event stream gets every tensor (its item changes)");
        assertEquals(new ProgressReport("packaging", 200, 200, 1_000_000, 1_000_000, "t200"), reports.get(199));
    }

    @Test
    void aBigModelLogsEveryTensor() {
        List<String> lines = packaging(30, 100L << 20, new ArrayList<>());
        assertEquals(30, lines.size(), "3 GiB of input: a line per tensor");
    }

    @Test
    void aDownloadLogsPerTenPercentOfEachBigFileAndOnceForASmallOne() {
        List<String> lines = new ArrayList<>();
        List<ProgressReport> reports = new ArrayList<>();
        ProgressLog log = new ProgressLog("hf:a/b@main", "download", null, reports::add, lines::add);
        log.update(500, 1000, "hf:a/b@main config.json");
        log.update(1000, 1000, "hf:a/b@main config.json");
        long big = 100L << 20;
        for (long done = 1 << 20; done <= big; done += 1 << 20) log.update(done, big, "hf:a/b@main model.safetensors");
        assertEquals(1 + 10, lines.size(), String.join("\n", lines));
        assertEquals("hf:a/b@main: download 100% (0.0 of 0.0 MB) config.json", lines.get(0));
        assertTrue(lines.get(10).startsWith("hf:a/b@main: download 100% (104.9 of 104.9 MB) model.safetensors"), lines.get(10));
        assertEquals(2 + 100, reports.size(), "a report per whole percent");
    }

    @Test
    void anUnknownTotalLogsEveryHundredMegabytes() {
        List<String> lines = new ArrayList<>();
        ProgressLog log = new ProgressLog("x", "download", null, null, lines::add);
        for (long done = 1_000_000; done <= 350_000_000; done += 1_000_000) log.update(done, -1, "f");
        assertEquals(3, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).contains("(100.0 of ? MB)"), lines.get(0));
    }
}
