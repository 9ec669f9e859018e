package dev.kiln.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kiln.gpu.Gpu;
import dev.kiln.json.Json;
import dev.kiln.model.Manifest;
import dev.kiln.model.ShardInfo;
import dev.kiln.shaders.Precision;
import dev.kiln.tokenizer.Tokenizer;
import dev.kiln.tokenizer.Vocabulary;
import org.teavm.jso.typedarrays.Uint8Array;
import org.teavm.jso.webgpu.GPUBuffer;

/**
 * Brings a packaged model onto the GPU: the manifest, {@link Admission} against the adapter's limits (before any
 * download), the tokenizer file, then each shard into one GPU buffer.
 *
 * <p>With the browser's model store ({@link Store}: OPFS, keyed by SHA-256) a shard comes from the store when it is
 * there and still hashes right, else it is downloaded (resumed with Range where bytes were already received),
 * checked and committed before use; a storage preflight runs first, and the model's record (manifest and tokenizer
 * text) is kept after a complete load, so the next load, an offline load and {@link #upload recovery after a lost
 * device} need no network. Without a store (Node) each shard is streamed from the network, its SHA-256 compared with
 * the manifest (on a mismatch fetched once more bypassing the HTTP cache; a second mismatch is a
 * {@link ShardIntegrityError} naming the file, before any of its bytes reach the GPU). Memory stays at one shard at a
 * time; the bytes never enter the Java heap.
 */
public final class Loader {
    private Loader() {}

    /** What {@link #load} produced: tensors are sub-ranges of {@code shards[tensor.shard()]}. */
    public record Loaded(String manifestUrl, Manifest manifest, Vocabulary vocabulary, Tokenizer tokenizer, GPUBuffer[] shards) {
        Loaded withShards(GPUBuffer[] buffers) { return new Loaded(manifestUrl, manifest, vocabulary, tokenizer, buffers); }
    }

    public static Loaded load(Gpu gpu, String manifestUrl, Precision precision, double storageQuotaForTests,
                              Progress.Listener listener) {
        listener.progress(new Progress(Progress.Phase.MANIFEST, 0, 0, 0, 0));
        Store store = Store.find();
        String manifestText = text(store, manifestUrl);
        Manifest manifest = Manifest.fromJson(manifestText);
        manifest = Admission.admit(manifest, gpu, precision);
        String tokenizerUrl = Net.resolve(manifest.tokenizer(), manifestUrl);
        String tokenizerText = text(store, tokenizerUrl);
        Vocabulary vocabulary = Vocabulary.fromJson(tokenizerText);
        Tokenizer tokenizer = Tokenizer.of(vocabulary, Net::normalizeNfc);
        String record = null;
        if (store != null) {
            record = record(manifest, manifestText, manifestUrl, tokenizerUrl, tokenizerText);
            store.prepare(storageQuotaForTests < 0 ? record
                    : record.substring(0, record.length() - 1) + ",\"quota_for_tests\":" + (long) storageQuotaForTests + "}");
        }
        GPUBuffer[] buffers = upload(gpu, manifest, manifestUrl, store, Progress.Phase.DOWNLOAD, listener);
        if (store != null) store.commit(record);
        return new Loaded(manifestUrl, manifest, vocabulary, tokenizer, buffers);
    }

    private static String text(Store store, String url) {
        return store != null ? store.text(url) : Net.text(url);
    }

    /** What the store keeps of a loaded model: enough to list it and to load it again offline. */
    private static String record(Manifest manifest, String manifestText, String manifestUrl, String tokenizerUrl, String tokenizerText) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", manifest.name());
        m.put("manifest_url", manifestUrl);
        m.put("manifest", manifestText);
        m.put("tokenizer_url", tokenizerUrl);
        m.put("tokenizer", tokenizerText);
        List<Object> shards = new ArrayList<>();
        for (ShardInfo s : manifest.shards()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("file", s.file());
            o.put("size", (double) s.size());
            o.put("sha256", s.sha256().toLowerCase());
            shards.add(o);
        }
        m.put("shards", shards);
        return Json.write(m);
    }

    /**
     * Every shard of {@code manifest} in a new buffer on {@code gpu}: from the store when there is one (after a lost
     * device all of them are there: no request leaves the browser), else streamed from the network.
     */
    static GPUBuffer[] upload(Gpu gpu, Manifest manifest, String manifestUrl, Store store, Progress.Phase phase,
                              Progress.Listener listener) {
        List<ShardInfo> shards = manifest.shards();
        double total = manifest.weightBytes();
        double[] done = {0};
        double t0 = Engine.now();
        GPUBuffer[] buffers = new GPUBuffer[shards.size()];
        for (int s = 0; s < shards.size(); s++) {
            ShardInfo info = shards.get(s);
            if (info.size() > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("shard " + info.file() + " is " + info.size() + " bytes; the engine"
                        + " takes shards up to 2 GiB: re-package with a smaller --shard-size");
            }
            int size = (int) info.size();
            int padded = (size + 3) & ~3;
            String url = Net.resolve(info.file(), manifestUrl);
            int index = s;
            Uint8Array bytes;
            if (store != null) {
                double[] network = {0};
                Store.Shard got = store.shard(info.file(), size, info.sha256().toLowerCase(), url, (b, source) -> {
                    if (source.equals("network")) network[0] = b;
                    double elapsed = Math.max(1e-3, (Engine.now() - t0) / 1000);
                    double speed = (done[0] + b) / elapsed;
                    listener.progress(new Progress(phase, done[0] + b, total, index, shards.size(), b, size, speed,
                            (total - done[0] - b) / Math.max(1, speed), source));
                });
                bytes = got.getBytes();
            } else {
                try {
                    bytes = fetchVerified(info, url, padded, false, listener, done[0], total, s, shards.size());
                } catch (ShardIntegrityError first) {
                    // a stale or damaged copy in the HTTP cache would fail forever: fetch once more from the server
                    try {
                        bytes = fetchVerified(info, url, padded, true, listener, done[0], total, s, shards.size());
                    } catch (ShardIntegrityError again) {
                        throw new ShardIntegrityError(info.file(), again, first);
                    }
                }
            }
            listener.progress(new Progress(Progress.Phase.UPLOAD, done[0] + size, total, s, shards.size()));
            buffers[s] = gpu.storage("shard " + info.file(), padded);
            gpu.write(buffers[s], 0, bytes);
            done[0] += size;
            listener.progress(new Progress(Progress.Phase.UPLOAD, done[0], total, s + 1, shards.size()));
        }
        return buffers;
    }

    /**
     * Downloads one shard (bypassing the HTTP cache when {@code reload}) and checks its length and SHA-256.
     *
     * @throws ShardIntegrityError the bytes are not the manifest's
     */
    private static Uint8Array fetchVerified(ShardInfo info, String url, int padded, boolean reload,
                                            Progress.Listener listener, double done, double total, int s, int count) {
        int size = (int) info.size();
        Uint8Array bytes = Net.bytes(padded);
        Net.Download d = Net.open(url, reload);
        int at = 0;
        for (Uint8Array chunk = Net.next(d, url); chunk != null; chunk = Net.next(d, url)) {
            if (at + chunk.getLength() > size) {
                Net.cancel(d);
                throw new ShardIntegrityError(info.file(), info.sha256(), "(more than " + size + " bytes)");
            }
            Net.copy(bytes, chunk, at);
            at += chunk.getLength();
            listener.progress(new Progress(Progress.Phase.DOWNLOAD, done + at, total, s, count));
        }
        if (at != size) throw new ShardIntegrityError(info.file(), info.sha256(), "(only " + at + " of " + size + " bytes)");

        listener.progress(new Progress(Progress.Phase.VERIFY, done + at, total, s, count));
        String sha = Net.sha256(bytes, size);
        if (!sha.equalsIgnoreCase(info.sha256())) throw new ShardIntegrityError(info.file(), info.sha256(), sha);
        return bytes;
    }
}
