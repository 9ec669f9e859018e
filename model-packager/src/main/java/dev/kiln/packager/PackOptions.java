package dev.kiln.packager;

/**
 * How to package a model.
 *
 * @param quant      storage type of the weight matrices
 * @param shardBytes shard size cap in bytes; a tensor is never split, so one larger than this gets a shard alone
 */
public record PackOptions(Quant quant, long shardBytes) {
    /** 32 MiB: small enough to stream and cache per file, large enough to keep request counts low. */
    public static final long DEFAULT_SHARD_BYTES = 32L << 20;

    public PackOptions {
        if (quant == null) throw new IllegalArgumentException("quant must be given (Quant.KEEP keeps the input's types)");
        if (shardBytes < 1) throw new IllegalArgumentException("shard size must be positive, got " + shardBytes);
    }

    /** Keep the input's types, 32 MiB shards. */
    public static PackOptions defaults() { return new PackOptions(Quant.KEEP, DEFAULT_SHARD_BYTES); }

    public PackOptions withQuant(Quant q) { return new PackOptions(q, shardBytes); }

    public PackOptions withShardBytes(long bytes) { return new PackOptions(quant, bytes); }
}
