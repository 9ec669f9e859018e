package dev.kiln.packager;

import dev.kiln.model.DType;
import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.model.ShardInfo;
import dev.kiln.model.TensorInfo;
import dev.kiln.model.TensorNames;
import dev.kiln.packager.archive.Archive;
import dev.kiln.packager.gguf.GgmlType;
import dev.kiln.packager.gguf.GgufFile;
import dev.kiln.packager.gguf.GgufSource;
import dev.kiln.packager.hf.DirFiles;
import dev.kiln.packager.hf.HfSource;
import dev.kiln.tokenizer.Vocabulary;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Turns a model (GGUF file, Hugging Face directory, or an archive of either: {@link #open}) into a packaged model (docs/format.md): {@code manifest.json}, hashed shards and the
 * tokenizer file. Tensors stream one at a time (memory: about one tensor plus a write buffer, whatever the model
 * size). The output is atomic: everything is written into a temporary directory beside {@code outDir} and renamed
 * into place at the end; on any error the temporary directory is deleted and {@code outDir} is left as it was.
 */
public final class Packager {
    private Packager() {}

    public static final String MANIFEST_FILE = "manifest.json";

    /**
     * Packages {@code input} (anything {@link #open} reads) into {@code outDir}. {@code outDir} may be absent, empty, or an earlier
     * package (it is then replaced); anything else there is refused with a {@link FileAlreadyExistsException}.
     *
     * @throws ModelFormatException the input is malformed or unsupported (names the tensor or key)
     * @throws IOException          reading or writing failed
     */
    public static PackResult pack(Path input, Path outDir, PackOptions opts) throws IOException {
        return pack(input, outDir, opts, Progress.NONE);
    }

    /** {@link #pack(Path, Path, PackOptions)}, reporting progress after each tensor. */
    public static PackResult pack(Path input, Path outDir, PackOptions opts, Progress progress) throws IOException {
        checkTarget(outDir.toAbsolutePath().normalize());
        if (!Files.exists(input)) throw new NoSuchFileException(input.toString(), null, "no such model file or directory");
        try (ModelSource src = open(input)) {
            return pack(src, outDir, opts, progress);
        }
    }

    /** Packages an already opened {@code src} (a file input, or a synthetic model); the caller closes it. */
    public static PackResult pack(ModelSource src, Path outDir, PackOptions opts, Progress progress) throws IOException {
        long t0 = System.nanoTime();
        Path out = outDir.toAbsolutePath().normalize();
        checkTarget(out);
        Path parent = out.getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + out.getFileName() + ".tmp-");
        try {
            readableByAll(tmp); // temp directories are private; a package is served to others
            Written w = write(src, tmp, opts, progress);
            moveIntoPlace(tmp, out);
            return new PackResult(out, w.manifest, w.errors, (System.nanoTime() - t0) / 1_000_000);
        } catch (IOException | RuntimeException | Error e) {
            deleteTree(tmp);
            throw e;
        }
    }

    private record Written(Manifest manifest, List<QuantError> errors) {}

    private static Written write(ModelSource src, Path dir, PackOptions opts, Progress progress) throws IOException {
        try (ShardWriter shards = new ShardWriter(dir, opts.shardBytes())) {
            ModelConfig config = src.config();
            Vocabulary vocab = src.vocabulary();
            long total = 0, done = 0;
            for (ModelSource.Tensor t : src.tensors()) total += t.bytes();
            List<TensorInfo> tensors = new ArrayList<>();
            List<QuantError> errors = new ArrayList<>();
            List<ModelSource.Tensor> all = src.tensors();
            for (int i = 0; i < all.size(); ) {
                int end = groupEnd(all, i, config.layers());
                List<TensorPacker.Packed> packed = new ArrayList<>();
                List<byte[]> bytes = new ArrayList<>();
                for (ModelSource.Tensor t : all.subList(i, end)) {
                    byte[] raw = src.read(t);
                    float[] values = GgufFile.toFloats(t.type(), raw, t.elements());
                    TensorPacker.Packed p = TensorPacker.pack(t.name(), t.type(), raw, values, t.shape(), opts.quant());
                    packed.add(p);
                    bytes.add(p.bytes());
                }
                List<ShardWriter.Placement> at = shards.addTogether(bytes);
                for (int k = 0; k < packed.size(); k++) {
                    ModelSource.Tensor t = all.get(i + k);
                    TensorPacker.Packed p = packed.get(k);
                    tensors.add(new TensorInfo(t.name(), t.shape(), p.dtype(), at.get(k).shard(), at.get(k).offset(), p.bytes().length));
                    errors.add(p.error());
                    done += t.bytes();
                    progress.update(done, total, t.name());
                }
                i = end;
            }
            List<ShardInfo> shardInfos = shards.finish();

            byte[] tok = vocab.toJson().getBytes(StandardCharsets.UTF_8);
            String tokFile = "tokenizer-" + sha256(tok).substring(0, 16) + ".json";
            try {
                Files.write(dir.resolve(tokFile), tok);
            } catch (IOException e) {
                throw IoErrors.naming(dir.resolve(tokFile), e);
            }

            Manifest manifest = new Manifest(src.name(), config, tokFile, List.copyOf(tensors), shardInfos);
            String json = manifest.toJson();
            Manifest.fromJson(json); // the codec's own validation: never write a manifest the engine would refuse
            try {
                Files.writeString(dir.resolve(MANIFEST_FILE), json);
            } catch (IOException e) {
                throw IoErrors.naming(dir.resolve(MANIFEST_FILE), e);
            }
            return new Written(manifest, List.copyOf(errors));
        }
    }

    /**
     * The end (exclusive) of the run of tensors from {@code i} that the engine binds as one range and so must share a
     * shard: a layer's consecutive attn_q, attn_k, attn_v; attn_q_bias, attn_k_bias, attn_v_bias; ffn_gate, ffn_up
     * (docs/kernels.md, fusions). Just {@code i + 1} for any other tensor, or when the source stores them apart.
     */
    static int groupEnd(List<ModelSource.Tensor> ts, int i, int layers) {
        for (int l = 0; l < layers; l++) {
            for (List<String> group : List.of(
                    List.of(TensorNames.attnQ(l), TensorNames.attnK(l), TensorNames.attnV(l)),
                    List.of(TensorNames.attnQBias(l), TensorNames.attnKBias(l), TensorNames.attnVBias(l)),
                    List.of(TensorNames.ffnGate(l), TensorNames.ffnUp(l)))) {
                if (!group.contains(ts.get(i).name())) continue;
                int end = i + 1;
                while (end < ts.size() && group.contains(ts.get(end).name())) end++;
                return end;
            }
        }
        return i + 1;
    }

    /**
     * Opens any input Kiln packages: a Hugging Face directory, a .tar/.tar.gz/.tgz/.zip archive holding one or a
     * GGUF file, or a GGUF file.
     */
    public static ModelSource open(Path input) throws IOException {
        if (Files.isDirectory(input)) return HfSource.open(new DirFiles(input));
        if (!Files.isRegularFile(input)) throw new NoSuchFileException(input.toString(), null, "no such model file or directory");
        if (Archive.isArchive(input)) return Archive.openModel(input);
        return GgufSource.open(input);
    }

    /** What a tensor of {@code source} type and {@code shape} is stored as under {@code quant} (docs/format.md). */
    public static DType storedAs(GgmlType source, long[] shape, Quant quant) {
        return TensorPacker.target(source, shape, quant);
    }

    /** Packaging progress: bytes of input tensors done of the total, after each tensor. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total, tensor) -> {};

        void update(long done, long total, String tensor);
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
}
