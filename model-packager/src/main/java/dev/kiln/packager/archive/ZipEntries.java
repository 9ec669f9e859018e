package dev.kiln.packager.archive;

import dev.kiln.packager.ModelFormatException;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.archivers.zip.ZipMethod;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;

/**
 * A .zip archive through its central directory: each entry is inflated as a stream when read, nothing is
 * extracted to disk.
 */
final class ZipEntries implements Entries {
    /**
     * Store, deflate, deflate64 and bzip2: the methods commons-compress reads by itself. It also claims zstd (93, 20)
     * and xz (95), but only with optional libraries we do not ship: a zstd entry threw NoClassDefFoundError (fuzzing).
     */
    private static final Set<Integer> READABLE_METHODS = Set.of(ZipEntry.STORED, ZipEntry.DEFLATED,
            ZipMethod.ENHANCED_DEFLATED.getCode(), ZipMethod.BZIP2.getCode());

    private final Path file;
    private final ZipFile zip;
    private final Map<String, ZipArchiveEntry> entries = new LinkedHashMap<>();
    private final Map<String, Long> sizes = new LinkedHashMap<>();
    private final Map<String, byte[]> prefetched = new LinkedHashMap<>();

    ZipEntries(Path file) throws IOException {
        this.file = file;
        zip = ZipFile.builder().setPath(file).get();
        try {
            for (Enumeration<ZipArchiveEntry> en = zip.getEntriesInPhysicalOrder(); en.hasMoreElements(); ) {
                ZipArchiveEntry e = en.nextElement();
                String name = Archive.checkName(file, Entries.normalize(e.getName()));
                if (e.isDirectory() || e.isUnixSymlink() || Entries.ignored(name)) continue;
                if (!READABLE_METHODS.contains(e.getMethod()) || !zip.canReadEntryData(e)) {
                    throw new ModelFormatException(file + ": entry '" + name + "' uses a zip feature Kiln cannot read"
                            + " (compression method " + e.getMethod() + ", or encryption): re-create the zip with deflate or store");
                }
                if (e.getSize() < 0) {
                    throw new ModelFormatException(file + ": entry '" + name + "' does not declare its size: re-create the zip");
                }
                Archive.checkRatio(file, name, e.getSize(), e.getCompressedSize());
                entries.put(name, e);
                sizes.put(name, e.getSize());
            }
            for (String name : sizes.keySet()) {
                try (InputStream in = open(name)) {
                    byte[] head = Archive.prefetch(name, sizes.get(name), in);
                    if (head != null) prefetched.put(name, head);
                }
            }
        } catch (IOException | RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    @Override public Map<String, Long> sizes() { return Collections.unmodifiableMap(sizes); }

    @Override public Map<String, byte[]> prefetched() { return Collections.unmodifiableMap(prefetched); }

    @Override
    public InputStream open(String name) throws IOException {
        return Archive.bounded(file, name, zip.getInputStream(entries.get(name)), sizes.get(name));
    }

    @Override public void close() throws IOException { zip.close(); }
}
