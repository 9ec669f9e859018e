package dev.kiln.packager;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kiln.fuzz.Fuzz;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Fuzz target {@code archive-names}: a tar whose entry names (up to 8, one per input line) are the fuzzer's input
 * returns or throws a {@link ModelFormatException} — normalizing, folder detection, temp files named after entries.
 */
class ArchiveNamesFuzzTest {
    static final Fuzz FUZZ = new Fuzz("archive-names", ModelFormatException.class);
    @TempDir Path tmp;

    static Stream<byte[]> seeds() {
        return Stream.of("m/config.json\nm/tokenizer.json\nm/model.safetensors", "./config.json\n__MACOSX/._config.json\nx.gguf",
                "a/b/c/config.json\n/abs/config.json").map(Fuzz::utf8);
    }

    @MethodSource("seeds")
    @DictionaryEntries({"/", "config.json", ".gguf", "../", "\\", "._", "\u0000"})
    @FuzzTest
    void archiveEntryNamesReturnOrThrowAModelFormatException(byte[] input) {
        Map<String, byte[]> contents = FuzzInputs.tinyFolder();
        FUZZ.check(input, b -> {
            Map<String, byte[]> files = new LinkedHashMap<>();
            List<byte[]> bodies = new ArrayList<>(contents.values());
            String[] names = new String(b, StandardCharsets.ISO_8859_1).split("\n", 8);
            for (int i = 0; i < names.length; i++) {
                // commons-compress writes long names in quadratic time (2 GB allocated for a 46 KB name): keep them short
                String n = names[i].length() > 512 ? names[i].substring(0, 512) : names[i];
                if (!n.isEmpty()) files.putIfAbsent(n, bodies.get(i % bodies.size()));
            }
            byte[] archive;
            try {
                archive = FuzzInputs.tar(files, false);
            } catch (IOException | IllegalArgumentException e) {
                return; // names tar cannot write (a folder holding data): not an input any archive holds
            }
            FuzzInputs.openArchive(tmp, archive);
        });
    }

    @AfterAll
    static void report() throws IOException { FUZZ.report(); }
}
