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

    /** Largest tokenizer.json read (the largest real ones are ~35 MB). */
    long MAX_TOKENIZER_JSON = 64L << 20;
    /** Largest other JSON file read (config, tokenizer_config, index: kilobytes to a few MB in real checkpoints). */
    long MAX_JSON = 16L << 20;

    /**
     * A whole small file (JSON), empty when it is absent; a file over its limit ({@link #MAX_JSON},
     * {@link #MAX_TOKENIZER_JSON}) is a {@link dev.kiln.packager.ModelFormatException} before anything is read.
     */
    default Optional<byte[]> readAll(String name) throws IOException {
        Optional<Long> n = size(name);
        if (n.isEmpty()) return Optional.empty();
        long limit = name.equals(HfSource.TOKENIZER) ? MAX_TOKENIZER_JSON : MAX_JSON;
        if (n.get() > limit || n.get() < 0) {
            throw new dev.kiln.packager.ModelFormatException(label() + "/" + name + " is " + n.get() + " bytes, more than the "
                    + limit + " Kiln reads for this file: it is not a real " + name + " (check the checkpoint)");
        }
        return Optional.of(read(name, 0, (int) (long) n.get()));
    }

    /** The name of the checkpoint (its directory's name). */
    String name();
}
