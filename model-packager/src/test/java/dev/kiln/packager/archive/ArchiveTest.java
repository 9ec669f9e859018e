package dev.kiln.packager.archive;

import dev.kiln.packager.ModelFormatException;
import dev.kiln.packager.PackOptions;
import dev.kiln.packager.Packager;
import dev.kiln.packager.Shared;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Archives made by the test (.tar, .tar.gz, .zip) of stories260K's sharded Hugging Face folder and of its GGUF file
 * package to exactly the manifest the folder or file gives directly.
 */
class ArchiveTest {
    @TempDir static Path tmp;
    static Path sharded;
    static String folderManifest, ggufManifest;

    @BeforeAll
    static void packDirectly() throws IOException {
        sharded = Shared.stories("hf-sharded/config.json").getParent();
        folderManifest = manifest(sharded, "direct-hf");
        ggufManifest = manifest(Shared.stories("stories260K.gguf"), "direct-gguf");
    }

    static String manifest(Path input, String out) throws IOException {
        Packager.pack(input, tmp.resolve(out), PackOptions.defaults());
        return Files.readString(tmp.resolve(out).resolve(Packager.MANIFEST_FILE));
    }

    /** The folder's files under "hf-sharded/", in the given order. */
    static List<Path> files(boolean reversed) throws IOException {
        List<Path> fs;
        try (Stream<Path> s = Files.list(sharded)) {
            fs = new ArrayList<>(s.sorted().toList());
        }
        if (reversed) java.util.Collections.reverse(fs);
        return fs;
    }

    static Path tar(String name, boolean gzip, List<Path> files, String prefix) throws IOException {
        Path out = tmp.resolve(name);
        try (OutputStream raw = Files.newOutputStream(out);
             OutputStream z = gzip ? new GzipCompressorOutputStream(raw) : raw;
             TarArchiveOutputStream tar = new TarArchiveOutputStream(z)) {
            tar.putArchiveEntry(new TarArchiveEntry(prefix.isEmpty() ? "./" : prefix));
            tar.closeArchiveEntry();
            for (Path f : files) add(tar, new TarArchiveEntry(f, prefix + f.getFileName()), f);
        }
        return out;
    }

    static Path zip(String name, List<Path> files, String prefix) throws IOException {
        Path out = tmp.resolve(name);
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
            for (Path f : files) add(zip, new ZipArchiveEntry(f, prefix + f.getFileName()), f);
        }
        return out;
    }

    static <E extends ArchiveEntry> void add(ArchiveOutputStream<E> out, E entry, Path f) throws IOException {
        out.putArchiveEntry(entry);
        Files.copy(f, out);
        out.closeArchiveEntry();
    }

    @Test
    void tarGzOfTheFolderGivesTheFoldersManifest() throws IOException {
        assertEquals(folderManifest, manifest(tar("hf.tar.gz", true, files(false), "hf-sharded/"), "from-tgz"));
    }

    @Test
    void tarWithShardsInReverseOrderGivesTheFoldersManifest() throws IOException {
        assertEquals(folderManifest, manifest(tar("hf.tar", false, files(true), "./hf-sharded/"), "from-tar"));
    }

    @Test
    void zipOfTheFolderGivesTheFoldersManifest() throws IOException {
        assertEquals(folderManifest, manifest(zip("hf.zip", files(false), "hf-sharded/"), "from-zip"));
    }

    @Test
    void ggufInsideATgzAndAZipGivesTheGgufManifestAndLeavesNoSpool() throws IOException {
        Path gguf = Shared.stories("stories260K.gguf");
        long before = spools();
        assertEquals(ggufManifest, manifest(tar("g.tgz", true, List.of(gguf), ""), "gguf-tgz"));
        assertEquals(ggufManifest, manifest(zip("g.zip", List.of(gguf), "models/"), "gguf-zip"));
        assertEquals(before, spools(), "the spooled GGUF copies are deleted");
    }

    @Test
    void archiveWithoutAModelIsRefused() throws IOException {
        Path z = zip("empty.zip", List.of(sharded.resolve("tokenizer.json")), "x/");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Packager.pack(z, tmp.resolve("none"), PackOptions.defaults()));
        assertTrue(e.getMessage().contains("expected one Hugging Face folder"), e.getMessage());
    }

    @Test
    void truncatedTarGzIsAClearError() throws IOException {
        Path t = tar("cut.tar.gz", true, files(false), "hf-sharded/");
        byte[] b = Files.readAllBytes(t);
        Path cut = tmp.resolve("cut2.tar.gz");
        Files.write(cut, java.util.Arrays.copyOf(b, b.length / 2));
        Exception e = assertThrows(Exception.class, () -> Packager.pack(cut, tmp.resolve("cut-out"), PackOptions.defaults()));
        assertTrue(e instanceof ModelFormatException && e.getMessage().contains("truncated or corrupt"), e.toString());
        assertTrue(!Files.exists(tmp.resolve("cut-out")));
    }

    private static long spools() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("kiln-stories260K-")).count();
        }
    }
}
