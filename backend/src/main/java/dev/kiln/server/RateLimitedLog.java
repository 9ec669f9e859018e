package dev.kiln.server;

/**
 * One log line per refused request, at most {@code burst} lines per {@code windowMillis}; the rest are counted and
 * summed up in one line when the next window opens, so a flood of bad requests cannot fill the disk or drown the log.
 */
final class RateLimitedLog {
    private final String what;
    private final int burst;
    private final long windowMillis;
    private long windowStart;
    private int logged;
    private long suppressed;

    RateLimitedLog(String what, int burst, long windowMillis) {
        this.what = what;
        this.burst = burst;
        this.windowMillis = windowMillis;
    }

    /** Logs {@code line} (a single line, no stack trace) unless this window's burst is spent. */
    synchronized void warn(String line) {
        long now = System.currentTimeMillis();
        if (now - windowStart >= windowMillis) {
            if (suppressed > 0) {
                Server.LOG.warn("{} more {} in the last {} s were not logged", suppressed, what, windowMillis / 1000);
            }
            windowStart = now;
            logged = 0;
            suppressed = 0;
        }
        if (logged < burst) {
            logged++;
            Server.LOG.warn(line);
        } else {
            suppressed++;
        }
    }
}
