package dev.kiln.server;

/**
 * Where the preparation of one model input stands; the admin API sends these as {@code progress} events (fields in
 * snake_case).
 *
 * @param phase        {@code queued}, {@code download} (hub files), {@code hashing} (the cache key) or {@code packaging}
 * @param tensorsDone  tensors packaged so far (packaging), else 0
 * @param tensorsTotal tensors in the model, or null where counting them would cost a pass of its own (archives) and
 *                     outside packaging
 * @param bytesDone    bytes of the phase done: input tensor bytes (packaging), bytes of the current file (download,
 *                     hashing)
 * @param bytesTotal   the phase's total of the same, or -1 where the source does not say
 * @param item         the tensor or file last worked on, or empty
 */
public record ProgressReport(String phase, int tensorsDone, Integer tensorsTotal, long bytesDone, long bytesTotal, String item) {

    public static ProgressReport queued() { return new ProgressReport("queued", 0, null, 0, -1, ""); }

    /** Whole percent done, or -1 when the total is unknown. */
    public int percent() {
        return bytesTotal > 0 ? (int) Math.min(100, bytesDone * 100 / bytesTotal) : -1;
    }
}
