package dev.kiln.packager.hf;

import dev.kiln.packager.gguf.GgmlType;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test support: writes Hugging Face checkpoints (config.json, safetensors files, tokenizer files) from tensors held
 * in memory, starting from the real stories260K checkpoint so that reshaped variants (fused projections, other
 * dtypes, other families) can be checked against the original's package.
 */
public final class HfWriter {
    /** One tensor: safetensors dtype, shape (row-major) and little-endian bytes. */
    public record T(GgmlType type, long[] shape, byte[] bytes) {}

    static final ObjectMapper JSON = new ObjectMapper();

    public final ObjectNode config;
    public final Map<String, T> tensors = new LinkedHashMap<>();
    public final Map<String, byte[]> extraFiles = new LinkedHashMap<>();

    private HfWriter(ObjectNode config) { this.config = config; }

    /** The stories260K checkpoint in ../shared (config, every tensor, tokenizer files). */
    public static HfWriter stories(Path hfDir) throws IOException {
        HfWriter w = new HfWriter((ObjectNode) JSON.readTree(Files.readAllBytes(hfDir.resolve("config.json"))));
        try (DirFiles files = new DirFiles(hfDir)) {
            for (SafetensorsTensor t : Safetensors.header(files, "model.safetensors")) {
                w.tensors.put(t.name(), new T(t.type(), t.shape(), files.read(t.file(), t.begin(), (int) t.bytes())));
            }
        }
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) w.extraFiles.put(f, Files.readAllBytes(hfDir.resolve(f)));
        return w;
    }

    /** Writes everything into {@code dir}: one model.safetensors, or {@code shards} files and an index. */
    public Path write(Path dir, int shards) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
        for (Map.Entry<String, byte[]> e : extraFiles.entrySet()) Files.write(dir.resolve(e.getKey()), e.getValue());
        if (shards <= 1) {
            safetensors(dir.resolve("model.safetensors"), tensors);
            return dir;
        }
        List<String> names = new ArrayList<>(tensors.keySet());
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", 0);
        ObjectNode map = index.putObject("weight_map");
        for (int s = 0; s < shards; s++) {
            String file = String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
            Map<String, T> part = new LinkedHashMap<>();
            for (int i = s * names.size() / shards; i < (s + 1) * names.size() / shards; i++) {
                part.put(names.get(i), tensors.get(names.get(i)));
                map.put(names.get(i), file);
            }
            safetensors(dir.resolve(file), part);
        }
        Files.writeString(dir.resolve("model.safetensors.index.json"), JSON.writeValueAsString(index));
        return dir;
    }

    /** The safetensors layout: u64 header length, JSON header (padded with spaces to 8 bytes), data. */
    public static void safetensors(Path file, Map<String, T> tensors) throws IOException {
        ObjectNode h = JSON.createObjectNode();
        h.putObject("__metadata__").put("format", "pt");
        long off = 0;
        for (Map.Entry<String, T> e : tensors.entrySet()) {
            ObjectNode t = h.putObject(e.getKey());
            t.put("dtype", e.getValue().type().name());
            var shape = t.putArray("shape");
            for (long d : e.getValue().shape()) shape.add(d);
            t.putArray("data_offsets").add(off).add(off + e.getValue().bytes().length);
            off += e.getValue().bytes().length;
        }
        byte[] header = JSON.writeValueAsString(h).getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        try (OutputStream out = Files.newOutputStream(file)) {
            long n = padded;
            for (int i = 0; i < 8; i++) out.write((int) (n >>> (8 * i)));
            out.write(header);
            for (int i = header.length; i < padded; i++) out.write(' ');
            for (T t : tensors.values()) out.write(t.bytes());
        }
    }

    /** Rows of several tensors stacked into one (a fused projection). */
    public static T stack(T... parts) {
        long rows = 0;
        int n = 0;
        for (T p : parts) {
            rows += p.shape()[0];
            n += p.bytes().length;
        }
        byte[] b = new byte[n];
        int at = 0;
        for (T p : parts) {
            System.arraycopy(p.bytes(), 0, b, at, p.bytes().length);
            at += p.bytes().length;
        }
        return new T(parts[0].type(), new long[] {rows, parts[0].shape()[1]}, b);
    }
}
