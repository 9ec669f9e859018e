package dev.kiln.packager.inspect;

import dev.kiln.model.DType;
import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.model.TensorInfo;
import dev.kiln.packager.ModelSource;
import dev.kiln.packager.Packager;
import dev.kiln.packager.Quant;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a model is and what it needs on the GPU, without packaging it: from a packaged folder (its manifest) or from
 * any input {@link Packager#open} reads (then the weights are counted as they would be stored under a {@link Quant}).
 *
 * <p>GPU memory estimate, in bytes:
 * <pre>
 * weights  = Σ stored tensor bytes
 * kv cache = 2 (k, v) × layers × kv_heads × head_size × bytes per element × context   (f32: 4, f16: 2)
 * scratch  = 4 × (3·dim + q_dim + 2·kv_dim + 2·ffn + heads·context + vocab)          (activations, scores, logits: f32)
 * </pre>
 * WebGPU limits: one binding is at most {@code maxStorageBufferBindingSize} (128 MiB by default), so the largest
 * tensor must fit it; the whole model must fit what the adapter grants (1, 2 or 4 GiB are common).
 */
public final class Inspect {
    private Inspect() {}

    public static final long BINDING_LIMIT = 128L << 20;
    public static final long[] BUFFER_LIMITS = {1L << 30, 2L << 30, 4L << 30};

    /** Count, elements and stored bytes of the tensors of one dtype. */
    public record DTypeStats(int tensors, long elements, long bytes) {
        DTypeStats plus(long e, long b) { return new DTypeStats(tensors + 1, elements + e, bytes + b); }
    }

    /**
     * @param source       what was inspected ("packaged" or "gguf" / "hugging face" / "archive")
     * @param name         model name
     * @param config       hyper-parameters
     * @param parameters   Σ elements of all tensors (a tied LM head counted once)
     * @param byDtype      stored dtype id → stats
     * @param diskBytes    size of the input on disk
     * @param weightBytes  Σ stored tensor bytes (GPU weights)
     * @param largest      name of the largest stored tensor
     * @param largestBytes its bytes
     * @param context      positions the estimate allocates for
     */
    public record Report(String source, String name, ModelConfig config, long parameters, Map<String, DTypeStats> byDtype,
                         long diskBytes, long weightBytes, String largest, long largestBytes, int context) {

        /** K and V of one position over all layers. */
        public long kvBytesPerToken(int bytesPerElement) {
            return 2L * config.layers() * config.kvDim() * bytesPerElement;
        }

        public long scratchBytes() {
            ModelConfig c = config;
            return 4L * (3L * c.dim() + c.qDim() + 2L * c.kvDim() + 2L * c.ffn() + (long) c.heads() * context + c.vocab());
        }

        /** Weights + KV cache over {@link #context} positions + scratch, for KV elements of this many bytes. */
        public long gpuBytes(int kvBytesPerElement) {
            return weightBytes + kvBytesPerToken(kvBytesPerElement) * context + scratchBytes();
        }

        public boolean fitsBinding() { return largestBytes <= BINDING_LIMIT; }
    }

    /** Inspects a packaged folder, or any model input as it would be packaged with {@code quant}. */
    public static Report of(Path input, Quant quant, Integer context) throws IOException {
        if (Files.isRegularFile(input.resolve(Packager.MANIFEST_FILE))) return packaged(input, context);
        try (ModelSource src = Packager.open(input)) {
            Map<String, DTypeStats> by = new TreeMap<>();
            long params = 0, weights = 0, largestBytes = -1;
            String largest = "";
            for (ModelSource.Tensor t : src.tensors()) {
                DType d = Packager.storedAs(t.type(), t.shape(), quant);
                long rows = t.shape().length == 1 ? 1 : t.shape()[0], cols = t.shape()[t.shape().length - 1];
                long b = d.byteSize((int) rows, (int) cols);
                by.merge(d.id(), new DTypeStats(1, t.elements(), b), (x, y) -> x.plus(y.elements(), y.bytes()));
                params += t.elements();
                weights += b;
                if (b > largestBytes) {
                    largestBytes = b;
                    largest = t.name();
                }
            }
            ModelConfig c = src.config();
            return new Report(kind(input), src.name(), c, params, by, diskSize(input), weights, largest, largestBytes,
                    context != null ? context : c.context());
        }
    }

    private static Report packaged(Path dir, Integer context) throws IOException {
        Manifest m = Manifest.fromJson(Files.readString(dir.resolve(Packager.MANIFEST_FILE)));
        Map<String, DTypeStats> by = new TreeMap<>();
        long params = 0, weights = 0, largestBytes = -1;
        String largest = "";
        for (TensorInfo t : m.tensors()) {
            by.merge(t.dtype().id(), new DTypeStats(1, t.elements(), t.length()), (x, y) -> x.plus(y.elements(), y.bytes()));
            params += t.elements();
            weights += t.length();
            if (t.length() > largestBytes) {
                largestBytes = t.length();
                largest = t.name();
            }
        }
        return new Report("packaged", m.name(), m.config(), params, by, diskSize(dir), weights, largest, largestBytes,
                context != null ? context : m.config().context());
    }

    private static String kind(Path p) {
        if (Files.isDirectory(p)) return "hugging face folder";
        String n = p.getFileName().toString().toLowerCase();
        return n.endsWith(".gguf") ? "gguf" : "archive";
    }

    private static long diskSize(Path p) throws IOException {
        if (!Files.isDirectory(p)) return Files.size(p);
        long n = 0;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) n += Files.size(f);
        }
        return n;
    }

    /** Lines for a terminal. */
    public static List<String> describe(Report r) {
        ModelConfig c = r.config();
        List<String> out = new ArrayList<>();
        out.add(r.name() + " (" + r.source() + ")");
        out.add(String.format("architecture  %s: dim %d, %d layers, %d heads / %d kv heads, head size %d, ffn %d, vocab %d, "
                        + "rope %s base %.0f, %s embeddings", c.architecture(), c.dim(), c.layers(), c.heads(), c.kvHeads(),
                c.headSize(), c.ffn(), c.vocab(), c.ropeStyle().id(), c.ropeBase(), c.tiedEmbeddings() ? "tied" : "untied"));
        out.add(String.format("parameters    %,d (%.1fM)", r.parameters(), r.parameters() / 1e6));
        r.byDtype().forEach((d, s) -> out.add(String.format("  %-4s        %d tensors, %,d elements, %s", d, s.tensors(), s.elements(), mib(s.bytes()))));
        out.add("size on disk  " + mib(r.diskBytes()));
        out.add("gpu weights   " + mib(r.weightBytes()) + "; largest tensor " + r.largest() + " " + mib(r.largestBytes())
                + (r.fitsBinding() ? " (fits a 128 MiB binding)" : " (EXCEEDS the 128 MiB default binding limit)"));
        out.add(String.format("kv cache      %s per token f32, %s f16; x %d positions", mib(r.kvBytesPerToken(4)), mib(r.kvBytesPerToken(2)), r.context()));
        out.add("scratch       " + mib(r.scratchBytes()));
        for (int bytes : new int[] {4, 2}) {
            long total = r.gpuBytes(bytes);
            StringBuilder fits = new StringBuilder();
            for (long limit : BUFFER_LIMITS) fits.append(String.format("  %d GiB: %s", limit >> 30, total <= limit ? "fits" : "no"));
            out.add(String.format("gpu total %s  %s%s", bytes == 4 ? "f32" : "f16", mib(total), fits));
        }
        return out;
    }

    /** {@code 1.1 MiB}-style text (binary units). */
    static String mib(long b) {
        if (b < 1024) return b + " B";
        if (b < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        if (b < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024));
        return String.format(Locale.ROOT, "%.2f GiB", b / (1024.0 * 1024 * 1024));
    }
}
