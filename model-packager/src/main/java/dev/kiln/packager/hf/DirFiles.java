package dev.kiln.packager.hf;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A checkpoint directory on disk: positional reads on channels kept open until {@link #close}. */
public final class DirFiles implements HfFiles {
    private static final int CHUNK = 1 << 20;

    private final Path dir;
    private final Map<String, FileChannel> open = new HashMap<>();

    public DirFiles(Path dir) { this.dir = dir; }

    @Override public String label() { return dir.toString(); }

    @Override public String name() {
        Path n = dir.toAbsolutePath().normalize().getFileName();
        return n == null ? "model" : n.toString();
    }

    @Override
    public Optional<Long> size(String name) throws IOException {
        Path p = dir.resolve(name);
        return Files.isRegularFile(p) ? Optional.of(Files.size(p)) : Optional.empty();
    }

    @Override
    public byte[] read(String name, long offset, int length) throws IOException {
        FileChannel ch = open.get(name);
        if (ch == null) {
            ch = FileChannel.open(dir.resolve(name), StandardOpenOption.READ);
            open.put(name, ch);
        }
        byte[] out = new byte[length];
        // 1 MiB at a time: a heap buffer read makes the JDK copy through a temporary direct buffer of the same size,
        // which it caches per thread; whole-tensor reads would pin that much native memory
        for (int at = 0; at < length; ) {
            ByteBuffer buf = ByteBuffer.wrap(out, at, Math.min(CHUNK, length - at));
            int n = ch.read(buf, offset + at);
            if (n < 0) throw new EOFException(dir.resolve(name) + ": ends before byte " + (offset + length));
            at += n;
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (FileChannel ch : open.values()) {
            try {
                ch.close();
            } catch (IOException e) {
                if (first == null) first = e;
            }
        }
        open.clear();
        if (first != null) throw first;
    }
}
