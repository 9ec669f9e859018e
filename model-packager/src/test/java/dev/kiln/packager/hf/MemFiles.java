package dev.kiln.packager.hf;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/** A checkpoint held in memory, for fuzzing the Hugging Face readers without touching the disk. */
public record MemFiles(Map<String, byte[]> files) implements HfFiles {
    @Override public String label() { return "mem"; }

    @Override public String name() { return "mem"; }

    @Override public Optional<Long> size(String name) {
        byte[] b = files.get(name);
        return b == null ? Optional.empty() : Optional.of((long) b.length);
    }

    @Override public byte[] read(String name, long offset, int length) throws IOException {
        byte[] b = files.get(name);
        if (offset < 0 || length < 0 || offset + length > b.length) throw new IllegalStateException("read outside " + name + ": the caller must check ranges");
        return java.util.Arrays.copyOfRange(b, (int) offset, (int) offset + length);
    }

    @Override public void close() {}
}
