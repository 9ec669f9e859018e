package dev.kiln.server;

import dev.kiln.model.Manifest;
import dev.kiln.packager.PackOptions;
import dev.kiln.packager.PackResult;
import dev.kiln.packager.ModelSource;
import dev.kiln.packager.Packager;
import dev.kiln.packager.archive.Archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Packages made from model inputs (GGUF files, Hugging Face folders, archives; hub models as their downloaded
 * folder), kept under one folder and keyed by what determines their bytes:
 *
 * <pre>
 *   &lt;cache&gt;/&lt;name&gt;-&lt;content hash, 16 hex&gt;-&lt;packager fingerprint&gt;/manifest.json …
 *   &lt;cache&gt;/input-hashes.tsv      path \t size \t mtime-ms \t sha256   (so a restart does not re-hash)
 *   &lt;cache&gt;/&lt;package&gt;.verified    what {@link PackageCheck} last verified of the package
 *
 *   content hash of a file    SHA-256 of its bytes
 *   content hash of a folder  SHA-256 of the lines "name \t size \t sha256 \n" of its relevant files
 *                             (*.json and *.safetensors, not hidden), sorted by name
 * </pre>
 * A package folder only ever appears complete (the packager renames it into place), so "manifest.json exists"
 * means "up to date" — once {@link PackageCheck} has found every file the manifest names with the right size (and
 * the right SHA-256 where the file changed since last verified); a damaged package is packaged again.
 */
public final class PackageCache {

    /** What happened to one input. */
    public enum Outcome { PACKAGED, REUSED }

    public record Entry(Path dir, Outcome outcome) {}

    private static final String HASHES = "input-hashes.tsv";

    private final Path dir;
    private final Map<String, String> hashes = new LinkedHashMap<>(); // "path\tsize\tmtime" → sha256

    public PackageCache(Path dir) throws IOException {
        this.dir = dir.toAbsolutePath().normalize();
        Files.createDirectories(this.dir);
        Path f = this.dir.resolve(HASHES);
        if (Files.isRegularFile(f)) {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                int tab = line.lastIndexOf('\t');
                if (tab > 0 && line.length() - tab - 1 == 64) hashes.put(line.substring(0, tab), line.substring(tab + 1));
            }
        }
    }

    public Path dir() { return dir; }

    /** {@link #packageOf(Path, String, Consumer)} named after the file or folder, without a listener. */
    public Entry packageOf(Path input) throws IOException {
        Path n = input.toAbsolutePath().normalize().getFileName();
        return packageOf(input, n == null ? "model" : n.toString().replaceFirst("\\.[^.]*$", ""), null);
    }

    /**
     * The up-to-date package of {@code input} (a file or a checkpoint folder), packaging it first when there is none.
     * One input is packaged at a time.
     *
     * @param name     the model's name, the readable start of the package folder's name
     * @param listener receives hashing and packaging progress (may be null); the log gets lines either way
     */
    public synchronized Entry packageOf(Path input, String name, Consumer<ProgressReport> listener) throws IOException {
        Path real = input.toRealPath();
        String sha;
        if (Files.isDirectory(real)) {
            sha = folderSha256(real, listener);
        } else {
            if (known(real) == null) Server.LOG.info("{}: hashing ({} MB)", real, ProgressLog.mb(Files.size(real)));
            sha = sha256(real, listener);
        }
        Path target = dir.resolve(ModelCatalog.slug(name) + "-" + sha.substring(0, 16) + "-" + PackagerFingerprint.get());
        if (Files.isRegularFile(target.resolve(Packager.MANIFEST_FILE))) {
            try {
                int hashed = PackageCheck.verify(target);
                Server.LOG.info("{}: up-to-date package in {}{}", input, target, hashed == 0 ? "" : " (" + hashed + " changed file(s) re-verified)");
                return new Entry(target, Outcome.REUSED);
            } catch (PackageCheck.Damaged e) {
                Server.LOG.warn("{}: cached package is damaged ({}): packaging it again", input, e.getMessage());
                discard(target);
            }
        }
        Integer tensors = Archive.isArchive(real) ? null : countTensors(real);
        Server.LOG.info("{}: packaging {}into {}", input, tensors == null ? "" : tensors + " tensors ", target);
        PackResult r = Packager.pack(real, target, PackOptions.defaults(), new ProgressLog(input.toString(), "packaging", tensors, listener));
        Manifest m = r.manifest();
        PackageCheck.recordFresh(target);
        Server.LOG.info("{}: packaged {} tensors into {} shard(s), {} MB, in {} ms", input, m.tensors().size(),
                m.shards().size(), ProgressLog.mb(m.weightBytes()), r.millis());
        return new Entry(target, Outcome.PACKAGED);
    }

    /** Moves a damaged package out of the way (renamed first, so a half-deleted package never looks complete). */
    private static void discard(Path target) throws IOException {
        Path trash = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".damaged-");
        Files.move(target, trash.resolve("pkg"), StandardCopyOption.ATOMIC_MOVE);
        try (Stream<Path> walk = Files.walk(trash)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            Server.LOG.warn("could not delete the damaged package in {}: {}", trash, e.getMessage());
        }
    }

    /** Tensors of a GGUF file or checkpoint folder (headers only); an archive would cost a pass of its own. */
    private static int countTensors(Path real) throws IOException {
        try (ModelSource src = Packager.open(real)) {
            return src.tensors().size();
        }
    }

    /** See the class comment: names, sizes and content hashes of the folder's relevant files. */
    private String folderSha256(Path folder, Consumer<ProgressReport> listener) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(folder)) {
            files = s.filter(PackageCache::relevant).sorted().toList();
        }
        long unknown = 0;
        for (Path f : files) if (known(f.toRealPath()) == null) unknown += Files.size(f);
        if (unknown > 0) Server.LOG.info("{}: hashing {} file(s), {} MB not hashed before", folder, files.size(), ProgressLog.mb(unknown));
        StringBuilder lines = new StringBuilder();
        for (Path f : files) {
            lines.append(f.getFileName()).append('\t').append(Files.size(f)).append('\t').append(sha256(f.toRealPath(), listener)).append('\n');
        }
        return HexFormat.of().formatHex(FileTag.sha256().digest(lines.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static boolean relevant(Path p) {
        String n = p.getFileName().toString();
        return !n.startsWith(".") && (n.endsWith(".json") || n.endsWith(".safetensors")) && Files.isRegularFile(p);
    }

    /** SHA-256 of the input, remembered by (path, size, mtime). */
    private String known(Path real) throws IOException {
        return hashes.get(key(real, Files.readAttributes(real, BasicFileAttributes.class)));
    }

    private static String key(Path real, BasicFileAttributes a) {
        return real + "\t" + a.size() + "\t" + a.lastModifiedTime().toMillis();
    }

    private String sha256(Path real, Consumer<ProgressReport> listener) throws IOException {
        BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
        String key = key(real, a);
        String known = hashes.get(key);
        if (known != null) return known;
        ProgressLog progress = a.size() >= (64 << 20) ? new ProgressLog(real.toString(), "hashing", null, listener) : null;
        MessageDigest sha = FileTag.sha256();
        byte[] buf = new byte[1 << 20];
        long done = 0;
        try (InputStream in = Files.newInputStream(real)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
                done += n;
                if (progress != null) progress.update(done, a.size(), real.getFileName().toString());
            }
        }
        String hex = HexFormat.of().formatHex(sha.digest());
        hashes.entrySet().removeIf(e -> e.getKey().startsWith(real + "\t"));
        hashes.put(key, hex);
        saveHashes();
        return hex;
    }

    private void saveHashes() throws IOException {
        StringBuilder sb = new StringBuilder();
        hashes.forEach((k, v) -> sb.append(k).append('\t').append(v).append('\n'));
        Path tmp = Files.createTempFile(dir, HASHES, ".tmp");
        Files.writeString(tmp, sb, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, dir.resolve(HASHES), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve(HASHES), StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
