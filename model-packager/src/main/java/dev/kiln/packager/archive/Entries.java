package dev.kiln.packager.archive;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * The regular files of an archive: names (normalized, no leading {@code ./}) with sizes, and a fresh stream over
 * one entry's bytes. Tar archives answer {@link #open} with a new pass over the archive; zip files seek through
 * their central directory.
 */
interface Entries extends Closeable {

    /** Every regular file, in archive order: name → size. */
    Map<String, Long> sizes();

    /** Small entries read while listing the archive (JSON, safetensors headers), so they cost no further pass. */
    Map<String, byte[]> prefetched();

    /** A stream over the bytes of {@code name}, from its first byte. */
    InputStream open(String name) throws IOException;

    static String normalize(String name) {
        String n = name.replace('\\', '/');
        while (n.startsWith("./")) n = n.substring(2);
        while (n.startsWith("/")) n = n.substring(1);
        return n;
    }

    /** Entries worth skipping: folders and macOS resource forks. */
    static boolean ignored(String name) {
        return name.isEmpty() || name.endsWith("/") || name.startsWith("__MACOSX/") || name.contains("/._") || name.startsWith("._");
    }
}
