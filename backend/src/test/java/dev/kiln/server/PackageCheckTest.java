package dev.kiln.server;

import dev.kiln.model.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A cached package is verified before it is reused: a damaged one is packaged again, never served. */
class PackageCheckTest {
    @TempDir Path tmp;

    record Packaged(PackageCache cache, Path input, Path dir, Path shard, byte[] good) {}

    Packaged packaged() throws Exception {
        PackageCache cache = new PackageCache(tmp.resolve("cache"));
        Path input = SharedModels.stories260K();
        PackageCache.Entry e = cache.packageOf(input);
        assertEquals(PackageCache.Outcome.PACKAGED, e.outcome());
        Manifest m = Manifest.fromJson(Files.readString(e.dir().resolve("manifest.json"), StandardCharsets.UTF_8));
        Path shard = e.dir().resolve(m.shards().get(0).file());
        return new Packaged(cache, input, e.dir(), shard, Files.readAllBytes(shard));
    }

    @Test
    void anIntactPackageIsReusedAndItsVerificationIsRecordedBesideIt() throws Exception {
        Packaged p = packaged();
        assertTrue(Files.isRegularFile(p.dir().resolveSibling(p.dir().getFileName() + PackageCheck.SUFFIX)));
        assertEquals(PackageCache.Outcome.REUSED, p.cache().packageOf(p.input()).outcome());
        assertEquals(0, PackageCheck.verify(p.dir()), "nothing changed, nothing hashed");
    }

    @Test
    void aTruncatedShardIsFoundBySizeAndThePackageIsRebuilt() throws Exception {
        Packaged p = packaged();
        try (RandomAccessFile f = new RandomAccessFile(p.shard().toFile(), "rw")) {
            f.setLength(f.length() - 1);
        }
        PackageCheck.Damaged d = assertThrows(PackageCheck.Damaged.class, () -> PackageCheck.verify(p.dir()));
        assertTrue(d.getMessage().contains(p.shard().getFileName().toString()) && d.getMessage().contains("the manifest says"), d.getMessage());
        assertEquals(PackageCache.Outcome.PACKAGED, p.cache().packageOf(p.input()).outcome());
        assertArrayEquals(p.good(), Files.readAllBytes(p.shard()));
    }

    @Test
    void aChangedByteOfTheSameSizeIsFoundByHashAndThePackageIsRebuilt() throws Exception {
        Packaged p = packaged();
        byte[] bad = p.good().clone();
        bad[bad.length / 2] ^= 1;
        Files.write(p.shard(), bad);
        Files.setLastModifiedTime(p.shard(), FileTime.fromMillis(Files.getLastModifiedTime(p.shard()).toMillis() + 5_000));
        PackageCheck.Damaged d = assertThrows(PackageCheck.Damaged.class, () -> PackageCheck.verify(p.dir()));
        assertTrue(d.getMessage().contains("SHA-256"), d.getMessage());
        assertEquals(PackageCache.Outcome.PACKAGED, p.cache().packageOf(p.input()).outcome());
        assertArrayEquals(p.good(), Files.readAllBytes(p.shard()));
    }

    @Test
    void aMissingTokenizerIsFoundAndThePackageIsRebuilt() throws Exception {
        Packaged p = packaged();
        Manifest m = Manifest.fromJson(Files.readString(p.dir().resolve("manifest.json"), StandardCharsets.UTF_8));
        Files.delete(p.dir().resolve(m.tokenizer()));
        assertEquals(PackageCache.Outcome.PACKAGED, p.cache().packageOf(p.input()).outcome());
        assertTrue(Files.isRegularFile(p.dir().resolve(m.tokenizer())));
    }
}
