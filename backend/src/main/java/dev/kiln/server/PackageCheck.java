package dev.kiln.server;

import dev.kiln.model.Manifest;
import dev.kiln.model.ShardInfo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a cached package before it is served: every file its manifest names exists with the manifest's size
 * (always), and its SHA-256 matches (shards: the manifest's hash; the tokenizer: the 16 hex in its name) whenever
 * the file changed since it was last verified. What was verified is recorded beside the package:
 *
 * <pre>
 *   &lt;cache&gt;/&lt;package&gt;.verified     file \t size \t mtime-ms      (one line per verified file)
 * </pre>
 * so a restart re-hashes only files whose size or modification time moved (disk corruption, a stray edit, a
 * truncated copy). A package that fails is reported with the file and the reason; {@link PackageCache} then
 * repackages it.
 */
final class PackageCheck {
    private PackageCheck() {}

    static final String SUFFIX = ".verified";

    /** A package file that is missing, the wrong size or the wrong bytes. */
    static final class Damaged extends IOException {
        Damaged(String message) { super(message); }
    }

    /** Records every file of a package just written (its hashes are the ones the packager computed). */
    static void recordFresh(Path pkg) throws IOException {
        Manifest m = manifest(pkg);
        Map<String, String> record = new LinkedHashMap<>();
        for (String f : files(m)) record.put(f, stamp(pkg.resolve(f)));
        save(pkg, record);
    }

    /**
     * Verifies {@code pkg}; returns how many files were hashed.
     *
     * @throws Damaged naming the file and what is wrong with it
     */
    static int verify(Path pkg) throws IOException {
        Manifest m;
        try {
            m = manifest(pkg);
        } catch (RuntimeException e) {
            throw new Damaged(pkg.resolve(ServedModel.MANIFEST_FILE) + " is unreadable (" + e.getMessage() + ")");
        }
        Map<String, String> record = load(pkg);
        Map<String, String> next = new LinkedHashMap<>();
        int hashed = 0;
        for (String f : files(m)) {
            Path p = pkg.resolve(f);
            if (!Files.isRegularFile(p)) throw new Damaged(p + " is missing");
            long want = expectedSize(m, f);
            long size = Files.size(p);
            if (want >= 0 && size != want) throw new Damaged(p + " is " + size + " bytes, the manifest says " + want);
            String stamp = stamp(p);
            if (!stamp.equals(record.get(f))) {
                String sha = sha256(p);
                hashed++;
                String expected = expectedSha(m, f);
                if (!sha.startsWith(expected)) {
                    throw new Damaged(p + " has SHA-256 " + sha + ", the manifest expects " + expected);
                }
            }
            next.put(f, stamp);
        }
        if (!next.equals(record)) save(pkg, next);
        return hashed;
    }

    private static Manifest manifest(Path pkg) throws IOException {
        Path f = pkg.resolve(ServedModel.MANIFEST_FILE);
        if (Files.size(f) > ServedModel.MAX_MANIFEST_BYTES) throw new Damaged(f + " is larger than any manifest");
        return Manifest.fromJson(Files.readString(f, StandardCharsets.UTF_8));
    }

    private static List<String> files(Manifest m) {
        List<String> out = new ArrayList<>();
        out.add(m.tokenizer());
        for (ShardInfo s : m.shards()) out.add(s.file());
        return out;
    }

    private static long expectedSize(Manifest m, String file) {
        for (ShardInfo s : m.shards()) if (s.file().equals(file)) return s.size();
        return -1;
    }

    /** The manifest's SHA-256 of a shard, or the hex prefix in the tokenizer's name ("tokenizer-&lt;16 hex&gt;.json"). */
    private static String expectedSha(Manifest m, String file) {
        for (ShardInfo s : m.shards()) if (s.file().equals(file)) return s.sha256();
        String hex = file.replaceFirst("^tokenizer-([0-9a-f]{16})\\.json$", "$1");
        return hex.equals(file) ? "" : hex;
    }

    private static String stamp(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        return a.size() + "\t" + a.lastModifiedTime().toMillis();
    }

    private static String sha256(Path p) throws IOException {
        MessageDigest sha = FileTag.sha256();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(p)) {
            for (int n; (n = in.read(buf)) > 0; ) sha.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static Path recordFile(Path pkg) { return pkg.resolveSibling(pkg.getFileName() + SUFFIX); }

    private static Map<String, String> load(Path pkg) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        Path f = recordFile(pkg);
        if (!Files.isRegularFile(f) || Files.size(f) > (1 << 20)) return out;
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            int tab = line.indexOf('\t');
            if (tab > 0) out.put(line.substring(0, tab), line.substring(tab + 1));
        }
        return out;
    }

    private static void save(Path pkg, Map<String, String> record) throws IOException {
        StringBuilder sb = new StringBuilder();
        record.forEach((k, v) -> sb.append(k).append('\t').append(v).append('\n'));
        Path tmp = Files.createTempFile(pkg.getParent(), "." + pkg.getFileName(), ".tmp");
        Files.writeString(tmp, sb, StandardCharsets.UTF_8);
        Files.move(tmp, recordFile(pkg), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
