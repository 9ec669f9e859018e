package dev.kiln.reference;

/** The bytes of a packaged model's shards, by index into {@link dev.kiln.model.Manifest#shards()}. */
@FunctionalInterface
public interface ShardSource {
    byte[] read(int shardIndex);
}
