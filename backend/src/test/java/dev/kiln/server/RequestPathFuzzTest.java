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
 * Fuzz target {@code request-path}: {@link RequestPath#parse} answers plain segments — none empty, {@code .},
 * {@code ..}, hidden or holding {@code / \ % NUL} — or throws an {@link HttpError} 400 or 404.
 */
class RequestPathFuzzTest {
    static final Fuzz FUZZ = new Fuzz("request-path", HttpError.class);

    static Stream<byte[]> seeds() {
        return Stream.of("/", "/models/tiny/manifest.json", "/sub/page.html", "/%2e%2e/x", "/a%20b/c%C3%A9", "/a;b", "/.git/config",
                "/models/x/").map(Fuzz::utf8);
    }

    @MethodSource("seeds")
    @DictionaryFile(resourcePath = "request-path.dict")
    @FuzzTest
    void theRequestPathParserReturnsPlainSegmentsOrThrowsA400Or404(byte[] input) {
        FUZZ.check(input, b -> {
            String path = new String(b, StandardCharsets.ISO_8859_1);
            try {
                for (String s : RequestPath.parse(path).segments()) {
                    if (s.isEmpty() || s.equals(".") || s.equals("..") || s.startsWith(".") || s.contains("/")
                            || s.contains("\\") || s.contains("\0") || s.contains("%")) {
                        throw new AssertionError("RequestPath let segment '" + s + "' through from " + path);
                    }
                }
            } catch (HttpError e) {
                if (e.status() != 400 && e.status() != 404) throw new AssertionError("status " + e.status() + " for " + path);
                throw e;
            }
        });
    }

    @AfterAll
    static void report() throws IOException { FUZZ.report(); }
}
