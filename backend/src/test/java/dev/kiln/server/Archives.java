package dev.kiln.server;

import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Archives a test writes from a folder: every file of it under {@code prefix/}, as .tar.gz or .zip. */
public final class Archives {
    private Archives() {}

    public static Path tarGz(Path folder, String prefix, Path out) throws IOException {
        try (OutputStream file = Files.newOutputStream(out);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(file))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            write(folder, prefix, tar, (name, size) -> {
                TarArchiveEntry e = new TarArchiveEntry(name);
                e.setSize(size);
                return e;
            });
        }
        return out;
    }

    static Path zip(Path folder, String prefix, Path out) throws IOException {
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out.toFile())) {
            write(folder, prefix, zip, (name, size) -> {
                ZipArchiveEntry e = new ZipArchiveEntry(name);
                e.setSize(size);
                return e;
            });
        }
        return out;
    }

    private interface EntryMaker<E extends ArchiveEntry> {
        E make(String name, long size);
    }

    private static <E extends ArchiveEntry> void write(Path folder, String prefix, ArchiveOutputStream<E> out,
                                                       EntryMaker<E> maker) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(folder)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            out.putArchiveEntry(maker.make(prefix + "/" + f.getFileName(), Files.size(f)));
            Files.copy(f, out);
            out.closeArchiveEntry();
        }
        out.finish();
    }

    /** Copies a folder's files (not subfolders) into {@code to}. */
    static Path copyFolder(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) Files.copy(f, to.resolve(f.getFileName()));
        }
        return to;
    }
}
