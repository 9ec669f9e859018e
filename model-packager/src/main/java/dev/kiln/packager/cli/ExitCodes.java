package dev.kiln.packager.cli;

import dev.kiln.packager.ModelFormatException;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;

/** The command line's exit codes, mapped from failures in one place. */
public final class ExitCodes {
    private ExitCodes() {}

    public static final int OK = 0;
    /** A bug: an exception nobody expected. */
    public static final int BUG = 1;
    /** Wrong arguments (picocli also returns 2 for these), or an output directory that must not be overwritten. */
    public static final int USAGE = 2;
    /** The input is malformed or unsupported. */
    public static final int BAD_INPUT = 3;
    /** Reading or writing files failed. */
    public static final int IO = 4;

    public static int of(Throwable e) {
        if (e instanceof ModelFormatException) return BAD_INPUT;
        if (e instanceof FileAlreadyExistsException) return USAGE;
        if (e instanceof IOException) return IO;
        return BUG;
    }
}
