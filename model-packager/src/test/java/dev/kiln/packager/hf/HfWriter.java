package dev.kiln.packager.hf;

import dev.kiln.packager.gguf.GgmlType;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
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

    /** The safetensors layout, written by test-support's {@code Safetensors.write}. */
    public static void safetensors(Path file, Map<String, T> tensors) throws IOException {
        Map<String, dev.kiln.testsupport.Safetensors.Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, T> e : tensors.entrySet()) out.put(e.getKey(), spec(e.getValue()));
        dev.kiln.testsupport.Safetensors.write(file, out);
    }

    /** Rows of several tensors stacked into one (a fused projection). */
    public static T stack(T... parts) {
        dev.kiln.testsupport.Safetensors.Tensor[] s = new dev.kiln.testsupport.Safetensors.Tensor[parts.length];
        for (int i = 0; i < parts.length; i++) s[i] = spec(parts[i]);
        dev.kiln.testsupport.Safetensors.Tensor t = dev.kiln.testsupport.Safetensors.stack(s);
        return new T(parts[0].type(), t.shape(), t.bytes());
    }

    private static dev.kiln.testsupport.Safetensors.Tensor spec(T t) { return new dev.kiln.testsupport.Safetensors.Tensor(t.type().name(), t.shape(), t.bytes()); }
}
