package dev.kiln.engine;

/** A downloaded shard whose SHA-256 differs from the manifest's: the bytes are refused before any reaches the GPU. */
public final class ShardIntegrityError extends RuntimeException {
    private final String file;

    public ShardIntegrityError(String file, String expected, String actual) {
        super("shard " + file + " is corrupt or was changed: SHA-256 " + actual + " but the manifest says " + expected
                + " — clear the cache or re-package the model");
        this.file = file;
    }

    /** Both downloads were wrong, the second one bypassing the HTTP cache: the server's file is at fault. */
    public ShardIntegrityError(String file, ShardIntegrityError again, ShardIntegrityError first) {
        super("shard " + file + " failed its integrity check twice, the second time fetched from the server bypassing the"
                + " browser cache (" + first.getMessage().replaceFirst(" — .*", "") + "; then " + again.getMessage().replaceFirst(" — .*", "")
                + ") — the file on the server is corrupt: re-package the model there (kiln package, or restart kiln serve,"
                + " which verifies and repackages its cache)");
        this.file = file;
    }

    public String file() { return file; }
}
