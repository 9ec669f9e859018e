package dev.kiln.model;

/**
 * Where one tensor lives: a byte range of a shard.
 *
 * @param name   canonical name (see {@link TensorNames})
 * @param shape  {@code [n]} for vectors, {@code [rows, cols]} for matrices (cols contiguous)
 * @param dtype  storage layout
 * @param shard  index into {@link Manifest#shards()}
 * @param offset byte offset inside the shard, a multiple of {@link Manifest#ALIGNMENT}
 * @param length bytes, {@code dtype.byteSize(rows, cols)}
 */
public record TensorInfo(String name, long[] shape, DType dtype, int shard, long offset, long length) {

    public long rows() { return shape.length == 1 ? 1 : shape[0]; }

    public long cols() { return shape[shape.length - 1]; }

    public long elements() { return rows() * cols(); }
}
