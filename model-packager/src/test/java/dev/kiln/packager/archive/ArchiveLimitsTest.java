package dev.kiln.packager.archive;

import dev.kiln.packager.ModelFormatException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile archives are refused early with the entry named: zip bombs (before anything is spooled to disk), JSON
 * files far beyond any real one (before they are read into memory), entry names with control characters.
 */
class ArchiveLimitsTest {
    @TempDir Path tmp;

    /** {@code size} bytes of one repeated byte: compresses about 1000×. */
    static void writeRepeated(OutputStream out, long size, byte b) throws IOException {
        byte[] chunk = new byte[1 << 16];
        java.util.Arrays.fill(chunk, b);
        for (long left = size; left > 0; left -= chunk.length) out.write(chunk, 0, (int) Math.min(chunk.length, left));
    }

    static long tempGgufs() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("kiln-bomb")).count();
        }
    }

    @Test
    void aZipBombIsRefusedBeforeItIsSpooledToDisk() throws IOException {
        Path zip = tmp.resolve("bomb.zip");
        try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(zip.toFile())) {
            z.putArchiveEntry(new ZipArchiveEntry("bomb.gguf"));
            writeRepeated(z, 256L << 20, (byte) 0);
            z.closeArchiveEntry();
        }
        assertTrue(Files.size(zip) < 1 << 20, Files.size(zip) + " bytes");
        long before = tempGgufs();
        String msg = assertThrows(ModelFormatException.class, () -> Archive.openModel(zip).close()).getMessage();
        assertTrue(msg.contains("'bomb.gguf'") && msg.contains(String.valueOf(256L << 20)) && msg.contains("expands"), msg);
        assertEquals(before, tempGgufs(), "nothing spooled");
    }

    @Test
    void aHugelyCompressedConfigInATarGzIsRefusedNamingTheEntry() throws IOException {
        Path tgz = tmp.resolve("m.tar.gz");
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(new GzipCompressorOutputStream(Files.newOutputStream(tgz)))) {
            TarArchiveEntry e = new TarArchiveEntry("m/config.json");
            e.setSize(64L << 20);
            t.putArchiveEntry(e);
            writeRepeated(t, 64L << 20, (byte) ' ');
            t.closeArchiveEntry();
        }
        String msg = assertThrows(ModelFormatException.class, () -> Archive.openModel(tgz).close()).getMessage();
        assertTrue(msg.contains("'m/config.json'") && msg.contains("expands"), msg);
    }

    @Test
    void aConfigJsonBeyondTheJsonLimitIsRefusedBeforeItIsRead() throws IOException {
        Path tar = tmp.resolve("m.tar");
        long size = (16L << 20) + 1;
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(Files.newOutputStream(tar))) {
            TarArchiveEntry e = new TarArchiveEntry("m/config.json");
            e.setSize(size);
            t.putArchiveEntry(e);
            byte[] noise = new byte[1 << 16];
            Random r = new Random(1);
            for (long left = size; left > 0; left -= noise.length) {
                for (int i = 0; i < noise.length; i++) noise[i] = (byte) ('a' + r.nextInt(26));
                t.write(noise, 0, (int) Math.min(noise.length, left));
            }
            t.closeArchiveEntry();
        }
        String msg = assertThrows(ModelFormatException.class, () -> Archive.openModel(tar).close()).getMessage();
        assertTrue(msg.contains("config.json") && msg.contains(size + " bytes") && msg.contains(String.valueOf(16L << 20)), msg);
    }

    @Test
    void anEntryNameWithAControlCharacterIsRefused() throws IOException {
        Path tar = tmp.resolve("nul.tar");
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(Files.newOutputStream(tar))) {
            TarArchiveEntry e = new TarArchiveEntry("a\u0001b/config.json");
            e.setSize(2);
            t.putArchiveEntry(e);
            t.write("{}".getBytes());
            t.closeArchiveEntry();
        }
        String msg = assertThrows(ModelFormatException.class, () -> Archive.openModel(tar).close()).getMessage();
        assertTrue(msg.contains("control character") && msg.contains("a?b/config.json"), msg);
    }
}
