package dev.kiln.packager.hf;

import java.io.Closeable;
import java.io.IOException;
import java.util.Optional;

/**
 * The files of a Hugging Face checkpoint, wherever they lie: a directory ({@link DirFiles}) or an archive read as a
 * stream ({@code dev.kiln.packager.archive}). Names are relative to the checkpoint's root ({@code config.json},
 * {@code model-00001-of-00002.safetensors}). Reads of one file in increasing offset order are what a stream serves
 * cheaply; {@link HfSource} reads that way.
 */
public interface HfFiles extends Closeable {

    /** Where the files are, for messages (a directory, or {@code archive.tar.gz!/dir}). */
    String label();

    /** The size of a file, empty when it is absent. */
    Optional<Long> size(String name) throws IOException;

    /** {@code length} bytes of {@code name} from {@code offset}; the caller has checked the range against {@link #size}. */
    byte[] read(String name, long offset, int length) throws IOException;

    /** A whole small file (JSON), empty when it is absent. */
    default Optional<byte[]> readAll(String name) throws IOException {
        Optional<Long> n = size(name);
        if (n.isEmpty()) return Optional.empty();
        if (n.get() > Integer.MAX_VALUE - 16) throw new IOException(label() + "/" + name + " is too large to read whole");
        return Optional.of(read(name, 0, (int) (long) n.get()));
    }

    /** The name of the checkpoint (its directory's name). */
    String name();
}
