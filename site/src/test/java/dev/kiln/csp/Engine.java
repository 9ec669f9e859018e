package dev.kiln.csp;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/** Where the tests find the webclient's pristine build and the assembled site (set by the site pom). */
final class Engine {
    private Engine() { }

    /** webclient/target/webclient: js/ and wasm/ as TeaVM wrote them. */
    static Path build() { return existing("kiln.engine", "../webclient/target/webclient", "mvn -pl webclient install -DskipTests"); }

    /** site/target/site: the page with the engine copied and CSP-patched. */
    static Path site() { return existing("kiln.site", "target/site", "mvn -pl site install -DskipTests"); }

    private static Path existing(String property, String fallback, String build) {
        Path dir = Path.of(System.getProperty(property, fallback)).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) fail(dir + " is missing (system property " + property + "): run " + build);
        return dir;
    }
}
