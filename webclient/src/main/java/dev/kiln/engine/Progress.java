package dev.kiln.engine;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.kiln.json.Json;

/**
 * Where loading is: phase manifest → download → verify → upload (per shard, repeating) → compile → ready, with the
 * bytes and shards done so far; during a download also the current shard's bytes, the speed over the load so far and
 * the time left at that speed; {@code source} says whether the current shard came from the browser's store or the
 * network. The JS API hands {@link #toJson()} to {@code onProgress}. Phase RECOVER: the GPU device was lost and the
 * weights are being uploaded again from the store.
 */
public record Progress(Phase phase, double bytesDone, double bytesTotal, int shardsDone, int shardsTotal,
                       double shardBytesDone, double shardBytesTotal, double bytesPerSecond, double etaSeconds,
                       String source) {

    public enum Phase { MANIFEST, DOWNLOAD, VERIFY, UPLOAD, COMPILE, READY, RECOVER }

    public Progress(Phase phase, double bytesDone, double bytesTotal, int shardsDone, int shardsTotal) {
        this(phase, bytesDone, bytesTotal, shardsDone, shardsTotal, 0, 0, 0, -1, "");
    }

    /** Receives progress; called on the loading thread, between awaits. */
    @FunctionalInterface
    public interface Listener {
        void progress(Progress p);
    }

    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("phase", phase.name().toLowerCase());
        m.put("bytes_done", bytesDone);
        m.put("bytes_total", bytesTotal);
        m.put("shards_done", shardsDone);
        m.put("shards_total", shardsTotal);
        if (shardBytesTotal > 0) {
            m.put("shard_bytes_done", shardBytesDone);
            m.put("shard_bytes_total", shardBytesTotal);
        }
        if (bytesPerSecond > 0) m.put("bytes_per_s", bytesPerSecond);
        if (etaSeconds >= 0) m.put("eta_s", etaSeconds);
        if (!source.isEmpty()) m.put("source", source);
        return Json.write(m);
    }
}
