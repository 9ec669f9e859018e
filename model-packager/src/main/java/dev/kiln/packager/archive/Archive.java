package dev.kiln.packager.archive;

import dev.kiln.model.ModelConfig;
import dev.kiln.packager.ModelFormatException;
import dev.kiln.packager.ModelSource;
import dev.kiln.packager.gguf.GgufSource;
import dev.kiln.packager.hf.HfSource;
import dev.kiln.tokenizer.Vocabulary;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Model archives: {@code .tar}, {@code .tar.gz}/{@code .tgz} and {@code .zip} holding a Hugging Face folder (one
 * {@code config.json}, at the root or in one folder) or one GGUF file. Read as streams with Apache Commons Compress,
 * never extracted whole: a Hugging Face folder is read in place ({@link ArchiveFiles}); a GGUF file needs random
 * access to its header and tensor offsets, so that one entry is spooled to a temporary file, deleted when the source
 * is closed.
 */
public final class Archive {
    private Archive() {}

    /** Entries up to this size (JSON files) are kept in memory while listing, and so are safetensors headers. */
    static final int PREFETCH_LIMIT = 32 << 20;
    /**
     * Most an entry may expand when decompressed: weights compress by less than 2×, JSON by about 10×; a zip bomb
     * by 1000× or more. Checked for entries of {@link #RATIO_FLOOR} bytes or more.
     */
    static final long MAX_RATIO = 100;
    static final long RATIO_FLOOR = 1 << 20;

    /** Refuses an entry that expands more than {@link #MAX_RATIO} times, before it is decompressed further. */
    static void checkRatio(Path file, String entry, long size, long compressed) {
        if (size < RATIO_FLOOR || compressed < 0) return;
        if (size / Math.max(compressed, 1) > MAX_RATIO) {
            throw new ModelFormatException(file + ": entry '" + entry + "' expands from " + compressed + " to " + size
                    + " bytes, more than " + MAX_RATIO + " times: this is not a model archive (a zip bomb?)");
        }
    }

    /** Refuses an entry name with control characters (NUL, newlines): no real model file has them. */
    static String checkName(Path file, String name) {
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                throw new ModelFormatException(file + ": entry name '" + name.replaceAll("\\p{Cntrl}", "?")
                        + "' contains a control character: the archive is corrupt or hostile");
            }
        }
        return name;
    }

    /** {@code in} limited to the entry's declared size: more bytes mean the archive lies about it. */
    static InputStream bounded(Path file, String entry, InputStream in, long size) {
        return new java.io.FilterInputStream(in) {
            long left = size;

            @Override public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) return 0;
                if (left <= 0) {
                    if (super.read() < 0) return -1;
                    throw new ModelFormatException(file + ": entry '" + entry + "' holds more than the " + size
                            + " bytes its header declares: the archive is corrupt or hostile");
                }
                int n = super.read(b, off, (int) Math.min(len, left));
                if (n > 0) left -= n;
                return n;
            }

            @Override public long skip(long n) throws IOException {
                long k = super.skip(Math.min(n, Math.max(left, 0)));
                if (k > 0) left -= k;
                return k;
            }
        };
    }

    public static boolean isArchive(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".tar") || n.endsWith(".tar.gz") || n.endsWith(".tgz") || n.endsWith(".zip");
    }

    /** Opens the model inside an archive. */
    public static ModelSource openModel(Path file) throws IOException {
        Entries entries = entries(file);
        try {
            List<String> configs = new ArrayList<>(), ggufs = new ArrayList<>();
            for (String n : entries.sizes().keySet()) {
                if (n.equals(HfSource.CONFIG) || n.endsWith("/" + HfSource.CONFIG)) configs.add(n);
                if (n.toLowerCase(Locale.ROOT).endsWith(".gguf")) ggufs.add(n);
            }
            if (configs.size() == 1) {
                String prefix = configs.get(0).substring(0, configs.get(0).length() - HfSource.CONFIG.length());
                String folder = prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1);
                String name = folder.isEmpty() ? stem(file) : folder.substring(folder.lastIndexOf('/') + 1);
                return HfSource.open(new ArchiveFiles(entries, file + "!/" + prefix, prefix, name));
            }
            if (configs.isEmpty() && ggufs.size() == 1) return spooledGguf(file, entries, ggufs.get(0));
            throw new ModelFormatException(file + ": expected one Hugging Face folder (one config.json) or one .gguf file, found "
                    + configs.size() + " config.json " + configs + " and " + ggufs.size() + " .gguf " + ggufs);
        } catch (IOException | RuntimeException e) {
            entries.close();
            throw e;
        }
    }

    static Entries entries(Path file) throws IOException {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            if (n.endsWith(".zip")) return new ZipEntries(file);
            return new TarEntries(file, n.endsWith(".gz") || n.endsWith(".tgz"));
        } catch (IOException e) {
            if (e instanceof java.nio.file.NoSuchFileException) throw e;
            String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            throw new ModelFormatException(file + ": not a readable " + (n.endsWith(".zip") ? "zip" : n.endsWith(".tar") ? "tar" : "tar.gz")
                    + " archive (" + why + "): the file is truncated or corrupt");
        }
    }

    /**
     * The small entries kept while listing: JSON files whole, and the header of a safetensors file (its 8-byte
     * length and JSON), so that opening a checkpoint costs no extra pass. Null for anything else.
     */
    static byte[] prefetch(String name, long size, InputStream in) throws IOException {
        if (name.endsWith(".json") && size <= PREFETCH_LIMIT) return in.readNBytes((int) size);
        if (name.endsWith(".safetensors") && size >= 8) {
            byte[] len = in.readNBytes(8);
            if (len.length < 8) return len; // the entry is shorter than declared: Safetensors reports it
            long n = 0;
            for (int i = 7; i >= 0; i--) n = n << 8 | (len[i] & 0xff);
            if (len.length < 8 || n < 0 || n > PREFETCH_LIMIT || n > size - 8) return len; // Safetensors reports it
            byte[] head = new byte[8 + (int) n];
            System.arraycopy(len, 0, head, 0, 8);
            int got = in.readNBytes(head, 8, (int) n);
            return got == n ? head : len;
        }
        return null;
    }

    private static ModelSource spooledGguf(Path file, Entries entries, String entry) throws IOException {
        String base = entry.substring(entry.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_");
        if (base.length() > 64) base = base.substring(0, 64) + ".gguf"; // file names end at 255 bytes
        Path tmp = Files.createTempFile("kiln-" + stem(base) + "-", ".gguf");
        try {
            try (InputStream in = entries.open(entry); OutputStream out = Files.newOutputStream(tmp)) {
                in.transferTo(out);
            }
            entries.close();
            return new Spooled(GgufSource.open(tmp), tmp);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** A GGUF source over a spooled temporary copy, deleted on close. */
    private record Spooled(GgufSource gguf, Path tmp) implements ModelSource {
        @Override public String name() { return gguf.name(); }
        @Override public ModelConfig config() { return gguf.config(); }
        @Override public Vocabulary vocabulary() { return gguf.vocabulary(); }
        @Override public List<Tensor> tensors() { return gguf.tensors(); }
        @Override public byte[] read(Tensor t) throws IOException { return gguf.read(t); }

        @Override
        public void close() throws IOException {
            try {
                gguf.close();
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static String stem(Path p) { return stem(p.getFileName().toString()); }

    private static String stem(String n) {
        for (String ext : new String[] {".tar.gz", ".tgz", ".tar", ".zip", ".gguf"}) {
            if (n.toLowerCase(Locale.ROOT).endsWith(ext)) return n.substring(0, n.length() - ext.length());
        }
        return n;
    }
}
