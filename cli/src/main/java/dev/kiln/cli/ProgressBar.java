package dev.kiln.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress on stderr: one line redrawn in place on a terminal ({@code [#####-----] 52% 1.1 GiB / 2.0 GiB
 * 85.3 MiB/s ETA 0:11 label}), plain lines otherwise (every 10% or 5 s, so logs stay short). Rates and ETAs are
 * measured from the first update.
 */
public final class ProgressBar {
    private static final int WIDTH = 24;

    private final PrintWriter out;
    private final boolean terminal;
    private final String task;
    private final long t0 = System.nanoTime();
    private long lastPrint;
    private int lastTenth = -1;
    private int lastLength;

    /**
     * @param out      where to draw (stderr)
     * @param terminal redraw one line with {@code \r} (true on a console) or print plain lines
     * @param task     what is measured, first word of every line ("package", "download")
     */
    public ProgressBar(PrintWriter out, boolean terminal, String task) {
        this.out = out;
        this.terminal = terminal;
        this.task = task;
    }

    /** A bar on stderr that redraws in place when stderr is a terminal. */
    public static ProgressBar stderr(String task) {
        return new ProgressBar(new PrintWriter(System.err, true), System.console() != null, task);
    }

    public synchronized void update(long done, long total, String label) {
        long now = System.nanoTime();
        double secs = Math.max(1e-9, (now - t0) / 1e9);
        double rate = done / secs;
        int tenth = total > 0 ? (int) (10 * done / total) : 0;
        boolean end = total > 0 && done >= total;
        if (terminal) {
            if (!end && now - lastPrint < 100_000_000L) return; // at most 10 redraws a second
            String line = line(done, total, rate, label);
            out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            if (end) out.println();
            lastLength = line.length();
        } else {
            if (!end && tenth == lastTenth && now - lastPrint < 5_000_000_000L) return;
            out.println(line(done, total, rate, label));
            lastTenth = tenth;
        }
        out.flush();
        lastPrint = now;
    }

    String line(long done, long total, double rate, String label) {
        StringBuilder b = new StringBuilder(task).append(' ');
        if (total > 0) {
            int filled = (int) (WIDTH * Math.min(done, total) / total);
            b.append('[').append("#".repeat(filled)).append("-".repeat(WIDTH - filled)).append("] ");
            b.append(String.format(Locale.ROOT, "%3d%% ", 100 * done / total));
            b.append(ByteSize.format(done)).append(" / ").append(ByteSize.format(total));
        } else {
            b.append(ByteSize.format(done));
        }
        b.append("  ").append(ByteSize.format((long) rate)).append("/s");
        if (total > 0 && rate > 0 && done < total) b.append("  ETA ").append(clock((total - done) / rate));
        if (label != null && !label.isEmpty()) b.append("  ").append(label);
        return b.toString();
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
