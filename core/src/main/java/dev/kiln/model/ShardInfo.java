package dev.kiln.model;

/**
 * One shard file of a packaged model.
 *
 * @param file   file name relative to the manifest; carries the content hash so it can be cached forever
 * @param size   bytes
 * @param sha256 lowercase hex SHA-256 of the whole file; the engine refuses a shard whose bytes differ
 */
public record ShardInfo(String file, long size, String sha256) {
}
