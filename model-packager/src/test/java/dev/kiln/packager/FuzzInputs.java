package dev.kiln.packager;

import dev.kiln.fuzz.Fuzz;
import dev.kiln.packager.archive.Archive;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Seeds and input builders of the packager's fuzz targets: the stories260K files in ../shared (read at test time,
 * never copied), small generated files and archives.
 */
final class FuzzInputs {
    private FuzzInputs() {}

    /** A shared file's bytes when ../shared has it; under CI=true its absence fails the test. */
    static void addShared(List<byte[]> seeds, String relative) throws IOException {
        Path p = Path.of(System.getProperty("kiln.shared", "../shared"), "models", relative);
        if (Files.isRegularFile(p)) seeds.add(Files.readAllBytes(p));
        else if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new AssertionError(p + " is absent: fuzz seeds need ../shared");
        else System.out.println("fuzz: seed " + p + " is absent, fuzzing with generated seeds only");
    }

    static byte[] safetensors(String header, int data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + data).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h).array();
    }

    /** The stories260K checkpoint's files, or null when ../shared lacks one. */
    static Map<String, byte[]> checkpoint() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")) {
            List<byte[]> one = new ArrayList<>();
            addShared(one, "stories260K/hf/" + f);
            if (one.isEmpty()) return null;
            files.put(f, one.get(0));
        }
        return files;
    }

    /** A small checkpoint-like folder: JSON files and a tiny safetensors file (not a loadable model: the readers are the target). */
    static Map<String, byte[]> tinyFolder() {
        Map<String, byte[]> f = new LinkedHashMap<>();
        f.put("m/config.json", Fuzz.utf8("{\"architectures\":[\"LlamaForCausalLM\"],\"hidden_size\":8}"));
        f.put("m/tokenizer.json", Fuzz.utf8("{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[]}}"));
        f.put("m/model.safetensors", safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8));
        return f;
    }

    static byte[] tar(Map<String, byte[]> files, boolean gzip) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OutputStream out = gzip ? new GzipCompressorOutputStream(bytes) : bytes;
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(e.getKey(), true);
                entry.setSize(e.getValue().length);
                t.putArchiveEntry(entry);
                t.write(e.getValue());
                t.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    static byte[] zip(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                z.putArchiveEntry(new ZipArchiveEntry(e.getKey()));
                z.write(e.getValue());
                z.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** Opens {@code b}, written into {@code dir}, as the archive kind its first bytes say, reading what the packager reads before tensors. */
    static void openArchive(Path dir, byte[] b) throws IOException {
        String ext = b.length > 1 && b[0] == 'P' && b[1] == 'K' ? ".zip" : b.length > 1 && (b[0] & 0xff) == 0x1f ? ".tar.gz" : ".tar";
        Path file = dir.resolve("fuzz" + ext);
        Files.write(file, b);
        try (ModelSource s = Archive.openModel(file)) {
            s.config();
            s.vocabulary();
        }
    }
}
