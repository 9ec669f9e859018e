package dev.kiln.engine;

/** A downloaded shard whose SHA-256 differs from the manifest's: the bytes are refused before any reaches the GPU. */
public final class ShardIntegrityError extends RuntimeException {
    private final String file;

    public ShardIntegrityError(String file, String expected, String actual) {
        super("shard " + file + " is corrupt or was changed: SHA-256 " + actual + " but the manifest says " + expected
                + " — clear the cache or re-package the model");
        this.file = file;
    }

    public String file() { return file; }
}
