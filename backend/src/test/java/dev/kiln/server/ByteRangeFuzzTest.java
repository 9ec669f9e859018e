package dev.kiln.server;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kiln.fuzz.Fuzz;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

/**
 * Fuzz target {@code byte-range}: {@link ByteRange#parse} answers a range inside the file, the whole file or
 * unsatisfiable, for files of 0, 1, 1000 and {@code Long.MAX_VALUE} bytes; it throws nothing.
 */
class ByteRangeFuzzTest {
    static final Fuzz FUZZ = new Fuzz("byte-range");

    static Stream<byte[]> seeds() {
        return Stream.of("bytes=0-99", "bytes=-500", "bytes=9500-", "bytes=0-0,-1", "BYTES = 5 - 10", "bytes=10-5",
                "bytes=99999999999999999999-").map(Fuzz::utf8);
    }

    @MethodSource("seeds")
    @DictionaryFile(resourcePath = "byte-range.dict")
    @FuzzTest
    void theRangeParserAnswersARangeInsideTheFileOrWholeOrUnsatisfiable(byte[] input) {
        FUZZ.check(input, b -> {
            String header = new String(b, StandardCharsets.ISO_8859_1);
            for (long size : new long[] {0, 1, 1000, Long.MAX_VALUE}) {
                if (ByteRange.parse(header, size) instanceof ByteRange.Partial p) {
                    ByteRange r = p.range();
                    if (r.first() < 0 || r.last() < r.first() || r.last() >= size) {
                        throw new AssertionError("range " + r + " outside a file of " + size + " bytes from '" + header + "'");
                    }
                }
            }
        });
    }

    @AfterAll
    static void report() throws IOException { FUZZ.report(); }
}
