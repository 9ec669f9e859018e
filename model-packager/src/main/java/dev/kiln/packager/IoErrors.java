package dev.kiln.packager;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The JDK reports a full disk as a bare "No space left on device" (and a few other write failures without a path):
 * this names the file being written and what to do, so the failure is actionable.
 */
public final class IoErrors {
    private IoErrors() {}

    /** {@code e} again when its message already names {@code file}; otherwise an IOException that does. */
    public static IOException naming(Path file, IOException e) {
        String m = e.getMessage();
        if (m != null && m.contains(file.toString())) return e;
        String what = m == null ? e.getClass().getSimpleName() : m;
        String next = m != null && m.contains("No space left")
                ? ": free space on that disk or choose another output folder (packages need about the model's size)"
                : "";
        IOException named = new IOException("writing " + file + " failed: " + what + next, e);
        return named;
    }
}
