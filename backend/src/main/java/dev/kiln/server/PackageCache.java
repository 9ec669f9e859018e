package dev.kiln.server;

import dev.kiln.model.Manifest;
import dev.kiln.packager.PackOptions;
import dev.kiln.packager.PackResult;
import dev.kiln.packager.Packager;

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
import java.util.Locale;
import java.util.Map;

/**
 * Packages made from model files, kept under one folder and keyed by what determines their bytes:
 *
 * <pre>
 *   &lt;cache&gt;/&lt;name&gt;-&lt;SHA-256 of the input, 16 hex&gt;-&lt;packager fingerprint&gt;/manifest.json …
 *   &lt;cache&gt;/input-hashes.tsv      path \t size \t mtime-ms \t sha256   (so a restart does not re-hash)
 * </pre>
 * A package folder only ever appears complete (the packager renames it into place), so "manifest.json exists"
 * means "up to date".
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

    /** The up-to-date package of {@code input}, packaging it first when there is none. */
    public synchronized Entry packageOf(Path input) throws IOException {
        Path real = input.toRealPath();
        String sha = sha256(real);
        String stem = real.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        Path target = dir.resolve(ModelCatalog.slug(stem) + "-" + sha.substring(0, 16) + "-" + PackagerFingerprint.get());
        if (Files.isRegularFile(target.resolve(Packager.MANIFEST_FILE))) {
            Server.LOG.info("{}: up-to-date package in {}", input, target);
            return new Entry(target, Outcome.REUSED);
        }
        Server.LOG.info("{}: packaging ({} MB) into {}", input, String.format(Locale.ROOT, "%.1f", Files.size(real) / 1e6), target);
        PackResult r = Packager.pack(real, target, PackOptions.defaults());
        Manifest m = r.manifest();
        Server.LOG.info("{}: packaged {} tensors into {} shard(s), {} MB, in {} ms", input, m.tensors().size(),
                m.shards().size(), String.format(Locale.ROOT, "%.1f", m.weightBytes() / 1e6), r.millis());
        return new Entry(target, Outcome.PACKAGED);
    }

    /** SHA-256 of the input, remembered by (path, size, mtime). */
    private String sha256(Path real) throws IOException {
        BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
        String key = real + "\t" + a.size() + "\t" + a.lastModifiedTime().toMillis();
        String known = hashes.get(key);
        if (known != null) return known;
        Server.LOG.info("{}: hashing ({} MB)", real, String.format(Locale.ROOT, "%.1f", a.size() / 1e6));
        MessageDigest sha = FileTag.sha256();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(real)) {
            for (int n; (n = in.read(buf)) > 0; ) sha.update(buf, 0, n);
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
