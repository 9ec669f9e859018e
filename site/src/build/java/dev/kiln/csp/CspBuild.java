package dev.kiln.csp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The site's CSP build step: makes the copied WebAssembly GC engine run under a Content-Security-Policy without
 * {@code 'unsafe-eval'}. Reads the webclient's pristine {@code kiln.wasm} and {@code kiln.wasm-runtime.js}, writes
 * into the site's copy of that folder the patched runtime ({@link RuntimePatch}) and {@code kiln.jsbody.js}
 * ({@link JsBodies} → {@link JsBodyModule}).
 *
 * <p>Usage: {@code CspBuild <webclient wasm dir> <site engine wasm dir>}. Always reads from the webclient's folder, so
 * a second build never patches an already patched file. Any mismatch throws (the Maven build fails with it).
 */
public final class CspBuild {
    static final String WASM = "kiln.wasm", RUNTIME = "kiln.wasm-runtime.js";

    private CspBuild() { }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: CspBuild <webclient wasm dir> <site engine wasm dir>, got "
                    + Arrays.toString(args));
        }
        Summary s = run(Path.of(args[0]), Path.of(args[1]));
        System.out.println("[csp] " + s.bodies() + " @JSBody functions (" + s.callSites() + " call sites) precompiled"
                + " into " + JsBodyModule.FILE + "; " + RUNTIME + " patched: no Function/eval left");
    }

    record Summary(int bodies, int callSites) { }

    static Summary run(Path from, Path to) throws IOException {
        Path wasm = require(from.resolve(WASM)), runtime = require(from.resolve(RUNTIME));
        Path servedWasm = require(to.resolve(WASM));
        byte[] bytes = Files.readAllBytes(wasm);
        if (!Arrays.equals(bytes, Files.readAllBytes(servedWasm))) {
            throw new IllegalStateException(servedWasm + " differs from " + wasm + ": the functions would be"
                    + " precompiled for another build than the one served; let the site's copy step overwrite it"
                    + " (delete site/target/site and rebuild the site)");
        }
        JsBodies.Extracted found = JsBodies.extract(bytes);
        String patched = RuntimePatch.patch(Files.readString(runtime, StandardCharsets.UTF_8), JsBodyModule.FILE);
        Files.writeString(to.resolve(JsBodyModule.FILE), JsBodyModule.render(found.bodies()), StandardCharsets.UTF_8);
        Files.writeString(to.resolve(RUNTIME), patched, StandardCharsets.UTF_8);
        return new Summary(found.bodies().size(), found.callSites());
    }

    private static Path require(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file + " is missing: build the engine first (mvn -pl webclient install"
                    + " -DskipTests), then the site");
        }
        return file;
    }
}
