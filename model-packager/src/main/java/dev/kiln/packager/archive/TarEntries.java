package dev.kiln.packager.archive;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A .tar, .tar.gz or .tgz archive read as a stream: nothing is extracted to disk. Listing is one pass, which also
 * keeps the small entries ({@link Archive#PREFETCH_LIMIT}: JSON files, safetensors headers) in memory; each
 * {@link #open} is another pass that skips to the entry (for .tar.gz that means decompressing what lies before it).
 */
final class TarEntries implements Entries {
    private final Path file;
    private final boolean gzip;
    private final Map<String, Long> sizes = new LinkedHashMap<>();
    private final Map<String, byte[]> prefetched = new LinkedHashMap<>();
    private InputStream current;
    /** Bytes of the (compressed) file read so far by the listing pass. */
    private long compressed;

    TarEntries(Path file, boolean gzip) throws IOException {
        this.file = file;
        this.gzip = gzip;
        try (TarArchiveInputStream tar = stream()) {
            String last = null;
            long lastSize = 0, lastStart = 0;
            for (TarArchiveEntry e = tar.getNextEntry(); ; e = tar.getNextEntry()) {
                // compressed bytes consumed by the previous entry (a buffer's worth coarse): its expansion ratio
                if (gzip && last != null) Archive.checkRatio(file, last, lastSize, compressed - lastStart);
                if (e == null) break;
                last = null;
                String name = Archive.checkName(file, Entries.normalize(e.getName()));
                if (!e.isFile() || Entries.ignored(name)) continue;
                sizes.put(name, e.getSize());
                last = name;
                lastSize = e.getSize();
                lastStart = compressed;
                byte[] head = Archive.prefetch(name, e.getSize(), tar);
                if (head != null) prefetched.put(name, head);
            }
        }
    }

    private TarArchiveInputStream stream() throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16) {
            @Override public synchronized int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) compressed += n;
                return n;
            }

            @Override public synchronized int read() throws IOException {
                int c = super.read();
                if (c >= 0) compressed++;
                return c;
            }
        };
        try {
            if (gzip) in = GzipCompressorInputStream.builder().setInputStream(in).setDecompressConcatenated(true).get();
            return new TarArchiveInputStream(in);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    @Override public Map<String, Long> sizes() { return Collections.unmodifiableMap(sizes); }

    @Override public Map<String, byte[]> prefetched() { return Collections.unmodifiableMap(prefetched); }

    @Override
    public InputStream open(String name) throws IOException {
        closeCurrent();
        TarArchiveInputStream tar = stream();
        try {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                if (e.isFile() && Entries.normalize(e.getName()).equals(name)) {
                    current = tar;
                    return new FilterInputStream(tar) {
                        @Override public void close() throws IOException { closeCurrent(); }
                    };
                }
            }
        } catch (IOException | RuntimeException e) {
            tar.close();
            throw e;
        }
        tar.close();
        throw new IOException(file + ": entry '" + name + "' vanished between passes (was the archive modified?)");
    }

    private void closeCurrent() throws IOException {
        if (current != null) {
            InputStream c = current;
            current = null;
            c.close();
        }
    }

    @Override public void close() throws IOException { closeCurrent(); }
}
