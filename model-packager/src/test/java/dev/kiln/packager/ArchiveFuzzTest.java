package dev.kiln.packager;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kiln.fuzz.Fuzz;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Fuzz target {@code archive}: {@code .tar}, {@code .tar.gz} and {@code .zip} (kind by magic) through
 * {@link dev.kiln.packager.archive.Archive#openModel} return or throw a {@link ModelFormatException}. The seed folder
 * is not a complete model: this exercises listing, limits and entry reads, not the Hugging Face readers.
 */
class ArchiveFuzzTest {
    static final Fuzz FUZZ = new Fuzz("archive", ModelFormatException.class);
    @TempDir Path tmp;

    static List<byte[]> seeds() throws IOException {
        Map<String, byte[]> folder = FuzzInputs.tinyFolder();
        return List.of(FuzzInputs.tar(folder, false), FuzzInputs.tar(folder, true), FuzzInputs.zip(folder));
    }

    @MethodSource("seeds")
    @DictionaryEntries({"config.json", "../", "./"})
    @FuzzTest
    void archivesReturnOrThrowAModelFormatException(byte[] input) {
        FUZZ.check(input, b -> FuzzInputs.openArchive(tmp, b));
    }

    @AfterAll
    static void report() throws IOException { FUZZ.report(); }
}
