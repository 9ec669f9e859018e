package dev.kiln.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kiln.json.Json;

/** Writes the safetensors layout: u64 header length, JSON header padded with spaces to 8 bytes, data in header order. */
public final class Safetensors {
    private Safetensors() {}

    /** One tensor: safetensors dtype ("F32", "F16", "BF16"), shape (row-major) and little-endian bytes. */
    public record Tensor(String dtype, long[] shape, byte[] bytes) {}

    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("__metadata__", Map.of("format", "pt"));
        long off = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("dtype", e.getValue().dtype());
            List<Object> shape = new ArrayList<>();
            for (long d : e.getValue().shape()) shape.add(d);
            t.put("shape", shape);
            t.put("data_offsets", List.of(off, off + e.getValue().bytes().length));
            off += e.getValue().bytes().length;
            h.put(e.getKey(), t);
        }
        byte[] header = Json.write(h).getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < 8; i++) out.write((int) ((long) padded >>> (8 * i)));
            out.write(header);
            for (int i = header.length; i < padded; i++) out.write(' ');
            for (Tensor t : tensors.values()) out.write(t.bytes());
        }
    }

    /** Rows of several tensors stacked into one (a fused projection). */
    public static Tensor stack(Tensor... parts) {
        long rows = 0;
        int n = 0;
        for (Tensor p : parts) {
            rows += p.shape()[0];
            n += p.bytes().length;
        }
        byte[] b = new byte[n];
        int at = 0;
        for (Tensor p : parts) {
            System.arraycopy(p.bytes(), 0, b, at, p.bytes().length);
            at += p.bytes().length;
        }
        return new Tensor(parts[0].dtype(), new long[] {rows, parts[0].shape()[1]}, b);
    }
}
