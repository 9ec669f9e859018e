package dev.kiln.packager;

import dev.kiln.model.Manifest;
import dev.kiln.model.ShardInfo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Streams tensors into shard files of at most {@code cap} bytes, hashing while writing (memory: one tensor).
 * Each tensor starts at a multiple of {@link Manifest#ALIGNMENT} (zero padding between tensors) and is never split;
 * a tensor that alone exceeds the cap gets a shard of its own. A finished shard is renamed to
 * {@code shard-NNNNN-<first 16 hex of its SHA-256>.bin}.
 */
final class ShardWriter implements AutoCloseable {
    /** Where one tensor landed. */
    record Placement(int shard, long offset) {}

    private static final byte[] ZEROS = new byte[Manifest.ALIGNMENT];

    private final Path dir;
    private final long cap;
    private final List<ShardInfo> done = new ArrayList<>();
    private FileChannel out;
    private Path partial;
    private MessageDigest sha;
    private long pos;

    ShardWriter(Path dir, long cap) {
        this.dir = dir;
        this.cap = cap;
    }

    /** Appends one tensor's bytes, starting a new shard when they would push a non-empty one past the cap. */
    Placement add(byte[] data) throws IOException {
        long offset = align(pos);
        if (out != null && pos > 0 && offset + data.length > cap) finishShard();
        if (out == null) startShard();
        return append(data);
    }

    /** Appends one tensor's bytes to the open shard, aligned, whatever its size. */
    private Placement append(byte[] data) throws IOException {
        long offset = align(pos);
        write(ZEROS, (int) (offset - pos));
        write(data, data.length);
        return new Placement(done.size(), offset);
    }

    /**
     * Appends tensors that must share a shard (the engine binds them as one range: q/k/v, their biases, gate/up),
     * starting a new shard first when all of them would push a non-empty one past the cap.
     */
    List<Placement> addTogether(List<byte[]> group) throws IOException {
        long end = pos;
        for (byte[] data : group) end = align(end) + data.length;
        if (out != null && pos > 0 && end > cap) finishShard();
        List<Placement> at = new ArrayList<>();
        for (byte[] data : group) at.add(at.isEmpty() ? add(data) : append(data)); // the rest stay with the first
        return at;
    }

    /** Closes the last shard and returns every shard in order. */
    List<ShardInfo> finish() throws IOException {
        if (out != null) finishShard();
        return List.copyOf(done);
    }

    private void startShard() throws IOException {
        partial = dir.resolve(String.format("shard-%05d.partial", done.size()));
        out = FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        pos = 0;
    }

    private void write(byte[] b, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b, 0, n);
        try {
            while (buf.hasRemaining()) out.write(buf);
        } catch (IOException e) {
            throw IoErrors.naming(partial, e);
        }
        sha.update(b, 0, n);
        pos += n;
    }

    private void finishShard() throws IOException {
        try {
            out.force(true);
        } catch (IOException e) {
            throw IoErrors.naming(partial, e);
        }
        out.close();
        out = null;
        String hex = HexFormat.of().formatHex(sha.digest());
        String name = String.format("shard-%05d-%s.bin", done.size(), hex.substring(0, 16));
        Files.move(partial, dir.resolve(name));
        done.add(new ShardInfo(name, pos, hex));
    }

    static long align(long x) { return (x + Manifest.ALIGNMENT - 1) / Manifest.ALIGNMENT * Manifest.ALIGNMENT; }

    @Override
    public void close() throws IOException {
        if (out != null) out.close();
    }
}
