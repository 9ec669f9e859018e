package dev.kiln.packager;

import dev.kiln.fuzz.Fuzz;
import dev.kiln.packager.archive.Archive;
import dev.kiln.packager.gguf.GgmlType;
import dev.kiln.packager.gguf.GgufSource;
import dev.kiln.packager.gguf.GgufWriter;
import dev.kiln.packager.hf.HfSource;
import dev.kiln.packager.hf.MemFiles;
import dev.kiln.packager.hf.Safetensors;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
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
 * Fuzz targets of the packager's readers of outside input ({@link Fuzz}): GGUF header and metadata, safetensors
 * header, tokenizer.json and tokenizer_config.json (through {@link HfSource}), archives and archive entry names.
 * Seeds: the stories260K files in ../shared (when present) and small generated inputs.
 */
class PackagerFuzzTest {
    @TempDir Path tmp;

    static final List<byte[]> JSON_TOKENS = List.of("{", "}", "[", "]", "\"", ":", ",", "-1", "1e999", "null", "true",
            "99999999999999999999999", "4294967296", "[4294967296,4294967296]", "\"BF16\"", "\"F32\"", "\"dtype\"",
            "\"shape\"", "\"data_offsets\"", "\"vocab\"", "\"merges\"", "\"added_tokens\"", "\"model\"", "\"type\"",
            "\"BPE\"", "\"Unigram\"", "\"ByteLevel\"", "\"Metaspace\"", "\"chat_template\"", "\"bos_token\"",
            "\"pre_tokenizer\"", "\"Sequence\"", "\"id\"", "\"content\"").stream().map(Fuzz::utf8).toList();
    static final List<byte[]> GGUF_TOKENS = List.of("GGUF", "general.architecture", "llama", "tokenizer.ggml.tokens",
            "general.alignment", "\u0009\u0000\u0000\u0000", "\u0008\u0000\u0000\u0000").stream()
            .map(s -> s.getBytes(StandardCharsets.ISO_8859_1)).toList();

    /** A shared file's bytes when ../shared has it; under CI=true its absence fails the test. */
    static void addShared(List<byte[]> seeds, String relative) throws IOException {
        Path p = Path.of(System.getProperty("kiln.shared", "../shared"), "models", relative);
        if (Files.isRegularFile(p)) seeds.add(Files.readAllBytes(p));
        else if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new AssertionError(p + " is absent: fuzz seeds need ../shared");
        else System.out.println("fuzz: seed " + p + " is absent, fuzzing with generated seeds only");
    }

    static byte[] safetensors(String header, int data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return java.nio.ByteBuffer.allocate(8 + h.length + data).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h).array();
    }

    @Test
    void theGgufReaderReturnsOrThrowsAModelFormatException() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(new GgufWriter(3).string("general.architecture", "llama").u32("llama.context_length", 8)
                .tensor("token_embd.weight", GgmlType.F32, new long[] {4, 2}, new byte[32]).toBytes());
        seeds.add(new GgufWriter(1).string("general.name", "v1").toBytes());
        addShared(seeds, "stories260K/stories260K-q4_0.gguf");
        Path file = tmp.resolve("fuzz.gguf");
        Fuzz.run("gguf", seeds, GGUF_TOKENS, b -> {
            Files.write(file, b);
            try (GgufSource s = GgufSource.open(file)) {
                s.config();
                s.vocabulary();
            }
        }, ModelFormatException.class);
    }

    @Test
    void theSafetensorsHeaderReaderReturnsOrThrowsAModelFormatException() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},\"__metadata__\":{\"a\":\"b\"}}", 16));
        seeds.add(safetensors("{\"a\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,6]},\"b\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[6,8]}}", 8));
        addShared(seeds, "stories260K/hf/model.safetensors");
        Fuzz.run("safetensors-header", seeds, JSON_TOKENS,
                b -> Safetensors.header(new MemFiles(Map.of("model.safetensors", b)), "model.safetensors"), ModelFormatException.class);
    }

    /** The stories260K checkpoint with {@code name} replaced by the fuzzer's input. */
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

    void fuzzCheckpointFile(String target, String file) throws Exception {
        Map<String, byte[]> files = checkpoint();
        org.junit.jupiter.api.Assumptions.assumeTrue(files != null, "../shared/models/stories260K/hf is absent: no checkpoint to fuzz " + file + " in");
        List<byte[]> seeds = List.of(files.get(file), Fuzz.utf8("{}"));
        Fuzz.run(target, seeds, JSON_TOKENS, b -> {
            Map<String, byte[]> with = new LinkedHashMap<>(files);
            with.put(file, b);
            try (HfSource s = HfSource.open(new MemFiles(with))) {
                s.vocabulary();
            }
        }, ModelFormatException.class);
    }

    @Test
    void theTokenizerJsonReaderReturnsOrThrowsAModelFormatException() throws Exception {
        fuzzCheckpointFile("tokenizer-json", "tokenizer.json");
    }

    @Test
    void theTokenizerConfigReaderReturnsOrThrowsAModelFormatException() throws Exception {
        fuzzCheckpointFile("tokenizer-config", "tokenizer_config.json");
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

    /** Opens {@code b} as the archive kind its first bytes say, reading what the packager reads before tensors. */
    void openArchive(byte[] b) throws IOException {
        String ext = b.length > 1 && b[0] == 'P' && b[1] == 'K' ? ".zip" : b.length > 1 && (b[0] & 0xff) == 0x1f ? ".tar.gz" : ".tar";
        Path file = tmp.resolve("fuzz" + ext);
        Files.write(file, b);
        try (ModelSource s = Archive.openModel(file)) {
            s.config();
            s.vocabulary();
        }
    }

    @Test
    void archivesReturnOrThrowAModelFormatException() throws Exception {
        Map<String, byte[]> folder = tinyFolder();
        List<byte[]> seeds = List.of(tar(folder, false), tar(folder, true), zip(folder));
        Fuzz.run("archive", seeds, List.of(Fuzz.utf8("config.json"), Fuzz.utf8("../"), Fuzz.utf8("./")), this::openArchive,
                ModelFormatException.class);
    }

    @Test
    void archiveEntryNamesReturnOrThrowAModelFormatException() throws Exception {
        List<byte[]> seeds = List.of(Fuzz.utf8("m/config.json\nm/tokenizer.json\nm/model.safetensors"),
                Fuzz.utf8("./config.json\n__MACOSX/._config.json\nx.gguf"), Fuzz.utf8("a/b/c/config.json\n/abs/config.json"));
        Map<String, byte[]> contents = tinyFolder();
        Fuzz.run("archive-names", seeds, List.of(Fuzz.utf8("/"), Fuzz.utf8("config.json"), Fuzz.utf8(".gguf"), Fuzz.utf8("../"),
                Fuzz.utf8("\\"), Fuzz.utf8("._"), Fuzz.utf8("\u0000")), b -> {
            Map<String, byte[]> files = new LinkedHashMap<>();
            List<byte[]> bodies = new ArrayList<>(contents.values());
            String[] names = new String(b, StandardCharsets.ISO_8859_1).split("\n", 8);
            for (int i = 0; i < names.length; i++) {
                // commons-compress writes long names in quadratic time (2 GB allocated for a 46 KB name): keep them short
                String n = names[i].length() > 512 ? names[i].substring(0, 512) : names[i];
                if (!n.isEmpty()) files.putIfAbsent(n, bodies.get(i % bodies.size()));
            }
            byte[] archive;
            try {
                archive = tar(files, false);
            } catch (IOException | IllegalArgumentException e) {
                return; // names tar cannot write (a folder holding data): not an input any archive holds
            }
            openArchive(archive);
        }, ModelFormatException.class);
    }
}
