package dev.kiln.engine;

import java.util.List;

import dev.kiln.gpu.Gpu;
import dev.kiln.model.Manifest;
import dev.kiln.model.ShardInfo;
import dev.kiln.tokenizer.Tokenizer;
import dev.kiln.tokenizer.Vocabulary;
import org.teavm.jso.typedarrays.Uint8Array;
import org.teavm.jso.webgpu.GPUBuffer;

/**
 * Brings a packaged model onto the GPU: the manifest, the tokenizer file, then each shard streamed into one
 * JavaScript array of its size, its SHA-256 compared with the manifest (on a mismatch the shard is fetched once more
 * bypassing the HTTP cache, which replaces a bad cached copy; a second mismatch is a {@link ShardIntegrityError}
 * naming the file, before any of its bytes reach the GPU), and uploaded into one GPU buffer per shard. Memory stays
 * at one shard at a time; the bytes never enter the Java heap.
 */
public final class Loader {
    private Loader() {}

    /** What {@link #load} produced: tensors are sub-ranges of {@code shards[tensor.shard()]}. */
    public record Loaded(String manifestUrl, Manifest manifest, Vocabulary vocabulary, Tokenizer tokenizer, GPUBuffer[] shards) {}

    public static Loaded load(Gpu gpu, String manifestUrl, Progress.Listener listener) {
        listener.progress(new Progress(Progress.Phase.MANIFEST, 0, 0, 0, 0));
        Manifest manifest = Manifest.fromJson(Net.text(manifestUrl));
        Vocabulary vocabulary = Vocabulary.fromJson(Net.text(Net.resolve(manifest.tokenizer(), manifestUrl)));
        Tokenizer tokenizer = Tokenizer.of(vocabulary, Net::normalizeNfc);

        List<ShardInfo> shards = manifest.shards();
        double total = manifest.weightBytes();
        double done = 0;
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
            Uint8Array bytes;
            try {
                bytes = fetchVerified(info, url, padded, false, listener, done, total, s, shards.size());
            } catch (ShardIntegrityError first) {
                // a stale or damaged copy in the HTTP cache would fail forever: fetch once more from the server itself
                try {
                    bytes = fetchVerified(info, url, padded, true, listener, done, total, s, shards.size());
                } catch (ShardIntegrityError again) {
                    throw new ShardIntegrityError(info.file(), again, first);
                }
            }
            int at = size;

            listener.progress(new Progress(Progress.Phase.UPLOAD, done + at, total, s, shards.size()));
            buffers[s] = gpu.storage("shard " + info.file(), padded);
            gpu.write(buffers[s], 0, bytes);
            done += size;
            listener.progress(new Progress(Progress.Phase.UPLOAD, done, total, s + 1, shards.size()));
        }
        return new Loaded(manifestUrl, manifest, vocabulary, tokenizer, buffers);
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
