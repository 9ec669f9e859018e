package dev.kiln.engine;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.kiln.json.Json;

/**
 * Where loading is: phase manifest → download → verify → upload (per shard, repeating) → compile → ready, with the
 * bytes and shards done so far. The JS API hands {@link #toJson()} to {@code onProgress}.
 */
public record Progress(Phase phase, double bytesDone, double bytesTotal, int shardsDone, int shardsTotal) {

    public enum Phase { MANIFEST, DOWNLOAD, VERIFY, UPLOAD, COMPILE, READY }

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
        return Json.write(m);
    }
}
