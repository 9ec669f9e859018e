package dev.kiln.engine;

/** A call to the browser's model store failed; {@link #kind()} is what the JS API reports: integrity, storage or network. */
public final class StoreFailure extends RuntimeException {
    private final String kind;

    StoreFailure(String kind, String message) {
        super(message);
        this.kind = kind;
    }

    public String kind() { return kind; }
}
