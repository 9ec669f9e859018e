package dev.kiln.packager;

import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.model.ShardInfo;
import dev.kiln.model.TensorInfo;
import dev.kiln.packager.gguf.GgufFile;
import dev.kiln.packager.gguf.GgufModel;
import dev.kiln.packager.gguf.GgufNames;
import dev.kiln.packager.gguf.GgufTensor;
import dev.kiln.tokenizer.Vocabulary;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Turns a GGUF llama model into a packaged model (docs/format.md): {@code manifest.json}, hashed shards and the
 * tokenizer file. Tensors stream one at a time (memory: about one tensor plus a write buffer, whatever the model
 * size). The output is atomic: everything is written into a temporary directory beside {@code outDir} and renamed
 * into place at the end; on any error the temporary directory is deleted and {@code outDir} is left as it was.
 */
public final class Packager {
    private Packager() {}

    public static final String MANIFEST_FILE = "manifest.json";

    /**
     * Packages {@code input} (a .gguf file) into {@code outDir}. {@code outDir} may be absent, empty, or an earlier
     * package (it is then replaced); anything else there is refused with a {@link FileAlreadyExistsException}.
     *
     * @throws ModelFormatException the input is malformed or unsupported (names the tensor or key)
     * @throws IOException          reading or writing failed
     */
    public static PackResult pack(Path input, Path outDir, PackOptions opts) throws IOException {
        long t0 = System.nanoTime();
        Path out = outDir.toAbsolutePath().normalize();
        checkTarget(out);
        if (!Files.isRegularFile(input)) throw new java.nio.file.NoSuchFileException(input.toString(), null, "no such model file");
        Path parent = out.getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + out.getFileName() + ".tmp-");
        try {
            readableByAll(tmp); // temp directories are private; a package is served to others
            Written w = write(input, tmp, opts);
            moveIntoPlace(tmp, out);
            return new PackResult(out, w.manifest, w.errors, (System.nanoTime() - t0) / 1_000_000);
        } catch (IOException | RuntimeException | Error e) {
            deleteTree(tmp);
            throw e;
        }
    }

    private record Written(Manifest manifest, List<QuantError> errors) {}

    private static Written write(Path input, Path dir, PackOptions opts) throws IOException {
        try (GgufFile gguf = GgufFile.open(input); ShardWriter shards = new ShardWriter(dir, opts.shardBytes())) {
            ModelConfig config = GgufModel.config(gguf);
            Vocabulary vocab = GgufModel.vocabulary(gguf, config);
            for (String name : GgufNames.required(config)) {
                if (gguf.tensor(name).isEmpty()) throw bad(gguf, "tensor '" + name + "' is missing");
            }
            List<TensorInfo> tensors = new ArrayList<>();
            List<QuantError> errors = new ArrayList<>();
            for (GgufTensor t : gguf.tensors()) {
                GgufNames.Mapped m = GgufNames.map(t.name(), config);
                long[] shape = shape(gguf, t);
                if (!Arrays.equals(shape, m.shape())) {
                    throw bad(gguf, "tensor '" + t.name() + "' has shape " + Arrays.toString(shape) + " (ne="
                            + Arrays.toString(t.ne()) + ") but the llama.* metadata implies " + Arrays.toString(m.shape()));
                }
                byte[] raw = gguf.read(t);
                float[] values = GgufFile.toFloats(t.type(), raw, t.elements());
                TensorPacker.Packed p = TensorPacker.pack(m.name(), t.type(), raw, values, shape, opts.quant());
                ShardWriter.Placement at = shards.add(p.bytes());
                tensors.add(new TensorInfo(m.name(), shape, p.dtype(), at.shard(), at.offset(), p.bytes().length));
                errors.add(p.error());
            }
            List<ShardInfo> shardInfos = shards.finish();

            byte[] tok = vocab.toJson().getBytes(StandardCharsets.UTF_8);
            String tokFile = "tokenizer-" + sha256(tok).substring(0, 16) + ".json";
            Files.write(dir.resolve(tokFile), tok);

            String name = gguf.optString("general.name").orElse(stem(input));
            Manifest manifest = new Manifest(name, config, tokFile, List.copyOf(tensors), shardInfos);
            String json = manifest.toJson();
            Manifest.fromJson(json); // the codec's own validation: never write a manifest the engine would refuse
            Files.writeString(dir.resolve(MANIFEST_FILE), json);
            return new Written(manifest, List.copyOf(errors));
        }
    }

    /** GGUF {@code ne} (contiguous first) to our {@code [n]} or {@code [rows, cols]}; extra dims must be 1. */
    private static long[] shape(GgufFile f, GgufTensor t) {
        long[] ne = t.ne();
        for (int d = 2; d < ne.length; d++) {
            if (ne[d] != 1) throw bad(f, "tensor '" + t.name() + "' has ne=" + Arrays.toString(ne) + "; Kiln packs vectors and matrices only");
        }
        if (ne.length == 1) return new long[] {ne[0]};
        return new long[] {ne[1], ne[0]};
    }

    private static ModelFormatException bad(GgufFile f, String problem) {
        return new ModelFormatException(f.path().getFileName() + ": " + problem);
    }

    private static void checkTarget(Path out) throws IOException {
        if (!Files.exists(out)) return;
        if (!Files.isDirectory(out)) throw new FileAlreadyExistsException(out.toString(), null, "exists and is not a directory");
        if (isEmpty(out) || Files.isRegularFile(out.resolve(MANIFEST_FILE))) return;
        throw new FileAlreadyExistsException(out.toString(), null,
                "exists, is not empty and holds no " + MANIFEST_FILE + ": choose another --out or empty it");
    }

    /** Renames the finished temporary directory to {@code out}, replacing an earlier package there. */
    private static void moveIntoPlace(Path tmp, Path out) throws IOException {
        checkTarget(out);
        if (!Files.exists(out)) {
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        Path old = Files.createTempDirectory(out.getParent(), "." + out.getFileName() + ".old-");
        Files.delete(old);
        Files.move(out, old, StandardCopyOption.ATOMIC_MOVE);
        try {
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.move(old, out, StandardCopyOption.ATOMIC_MOVE);
            throw e;
        }
        deleteTree(old);
    }

    private static void readableByAll(Path dir) throws IOException {
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            System.err.println("kiln: could not delete " + root + ": " + e.getMessage());
        }
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".gguf") ? n.substring(0, n.length() - 5) : n;
    }
}
