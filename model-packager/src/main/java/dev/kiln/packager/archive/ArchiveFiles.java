package dev.kiln.packager.archive;

import dev.kiln.packager.ModelFormatException;
import dev.kiln.packager.hf.HfFiles;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * The files under one folder of an archive as {@link HfFiles}. Reads are served from the prefetched small entries
 * or from one open entry stream that only moves forward: reading a file front to back (as
 * {@link dev.kiln.packager.hf.HfSource} does) costs one pass over the archive per file; a read behind the stream's
 * position reopens the entry.
 */
final class ArchiveFiles implements HfFiles {
    private final Entries entries;
    private final String label, prefix, name;
    private String currentName;
    private InputStream current;
    private long pos;

    ArchiveFiles(Entries entries, String label, String prefix, String name) {
        this.entries = entries;
        this.label = label;
        this.prefix = prefix;
        this.name = name;
    }

    @Override public String label() { return label; }

    @Override public String name() { return name; }

    @Override
    public Optional<Long> size(String file) {
        return Optional.ofNullable(entries.sizes().get(prefix + file));
    }

    @Override
    public byte[] read(String file, long offset, int length) throws IOException {
        String entry = prefix + file;
        byte[] pre = entries.prefetched().get(entry);
        if (pre != null && offset + length <= pre.length) {
            byte[] out = new byte[length];
            System.arraycopy(pre, (int) offset, out, 0, length);
            return out;
        }
        try {
            if (!entry.equals(currentName) || offset < pos) {
                closeCurrent();
                current = entries.open(entry);
                currentName = entry;
                pos = 0;
            }
            current.skipNBytes(offset - pos);
            byte[] out = current.readNBytes(length);
            pos = offset + out.length;
            if (out.length != length) throw new EOFException("the entry ends before byte " + (offset + length));
            return out;
        } catch (java.nio.file.NoSuchFileException | java.nio.file.AccessDeniedException e) {
            throw e;
        } catch (IOException e) {
            // the archive was readable when listed: a failure now means its data is truncated or corrupt
            closeCurrent();
            throw new ModelFormatException(label + "/" + file + ": cannot read this entry (" + e.getMessage()
                    + "): the archive is truncated or corrupt");
        }
    }

    private void closeCurrent() throws IOException {
        if (current != null) current.close();
        current = null;
        currentName = null;
    }

    @Override
    public void close() throws IOException {
        try {
            closeCurrent();
        } finally {
            entries.close();
        }
    }
}
