package dev.kiln.server;

import dev.kiln.packager.Packager;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * {@link Packager.Progress} for the server: log lines on stderr, and {@link ProgressReport}s for a listener (the admin
 * API's event stream).
 *
 * <pre>
 *   log       a line at each 10 % of the bytes (per file for downloads and hashing; one line for a file under
 *             {@link #SMALL_FILE_BYTES}), and one per tensor for a big model (input ≥ {@link #PER_TENSOR_BYTES}),
 *             where each tensor takes a while; never one per tensor of a tiny model
 *   listener  a report when the whole percent or the item (tensor, file) changes, so at most ~100 per file or one
 *             per tensor
 * </pre>
 * Unknown totals ({@code total < 0}, a download whose size the hub did not say) log every 100 MB.
 */
final class ProgressLog implements Packager.Progress {

    static final long PER_TENSOR_BYTES = 1L << 30;
    /** A download or hash of a smaller file logs one line, when done. */
    static final long SMALL_FILE_BYTES = 16L << 20;
    private static final long UNKNOWN_TOTAL_STEP = 100_000_000L;

    private final String label;
    private final String phase;
    private final Integer tensorsTotal;
    private final Consumer<ProgressReport> listener;
    private final Consumer<String> log;
    private int tensorsDone;
    private String lastItem;
    private int lastPercent = -1;
    private int loggedTenth;
    private long loggedBytes;

    /**
     * @param label        the input, for log lines
     * @param phase        see {@link ProgressReport#phase()}
     * @param tensorsTotal tensors in the model (packaging), or null
     * @param listener     receives the reports (may be null)
     */
    ProgressLog(String label, String phase, Integer tensorsTotal, Consumer<ProgressReport> listener) {
        this(label, phase, tensorsTotal, listener, Server.LOG::info);
    }

    /** As above, writing log lines to {@code log} (tests). */
    ProgressLog(String label, String phase, Integer tensorsTotal, Consumer<ProgressReport> listener, Consumer<String> log) {
        this.label = label;
        this.phase = phase;
        this.tensorsTotal = tensorsTotal;
        this.listener = listener;
        this.log = log;
    }

    @Override
    public synchronized void update(long done, long total, String item) {
        boolean packaging = phase.equals("packaging");
        if (packaging) tensorsDone++;
        boolean newItem = !item.equals(lastItem);
        if (newItem && !packaging) { // a new file: its own 0–100 %
            loggedTenth = 0;
            loggedBytes = 0;
        }
        lastItem = item;
        ProgressReport r = new ProgressReport(phase, tensorsDone, tensorsTotal, done, total, item);
        if (listener != null && (newItem || r.percent() != lastPercent)) listener.accept(r);
        lastPercent = r.percent();
        if (packaging && total >= PER_TENSOR_BYTES) {
            log(r);
        } else if (!packaging && total > 0 && total < SMALL_FILE_BYTES) {
            if (done >= total) log(r);
        } else if (total > 0) {
            int tenth = (int) Math.min(10, done * 10 / total);
            if (tenth > loggedTenth) {
                loggedTenth = tenth;
                log(r);
            }
        } else if (done - loggedBytes >= UNKNOWN_TOTAL_STEP) {
            loggedBytes = done;
            log(r);
        }
    }

    private void log(ProgressReport r) {
        String tensors = phase.equals("packaging")
                ? ", " + r.tensorsDone() + (r.tensorsTotal() != null ? "/" + r.tensorsTotal() : "") + " tensors" : "";
        String pct = r.percent() >= 0 ? " " + r.percent() + "%" : "";
        String item = r.item().startsWith(label + " ") ? r.item().substring(label.length() + 1) : r.item();
        log.accept(label + ": " + phase + pct + " (" + mb(r.bytesDone()) + " of "
                + (r.bytesTotal() >= 0 ? mb(r.bytesTotal()) : "?") + " MB" + tensors + ") " + item);
    }

    static String mb(long bytes) { return String.format(Locale.ROOT, "%.1f", bytes / 1e6); }
}
