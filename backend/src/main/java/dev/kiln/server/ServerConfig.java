package dev.kiln.server;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything {@link Server#create} needs. Paths may be relative (to the working directory, which {@code ./kiln}
 * sets to the repository root).
 *
 * @param host        interface to bind ({@code 127.0.0.1} keeps the server private to this machine)
 * @param port        TCP port; 0 picks a free one (tests)
 * @param siteDir     the static site (index.html, app.js, the webclient's .wasm/.js); served at {@code /}
 * @param models      model inputs: a GGUF file (packaged on start) or a folder holding a {@code manifest.json}
 * @param modelsDirs  folders whose entries are model inputs as above
 * @param corsOrigins origins allowed to fetch {@code /models/…} and {@code /api/…} cross-origin; empty = CORS off
 * @param cacheDir    where packages made from model files are kept, keyed by the input's SHA-256 and the
 *                    packager version
 */
public record ServerConfig(String host, int port, Path siteDir, List<Path> models, List<Path> modelsDirs,
                           List<String> corsOrigins, Path cacheDir) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final Path DEFAULT_SITE_DIR = Path.of("site", "target", "site");

    public ServerConfig {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("host must not be empty");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port " + port + " is outside 0–65535");
        models = List.copyOf(models);
        modelsDirs = List.copyOf(modelsDirs);
        for (String o : corsOrigins) {
            if (!o.matches("https?://[A-Za-z0-9.\\-\\[\\]:]+")) {
                throw new IllegalArgumentException("CORS origin '" + o + "' must look like https://example.org"
                        + " (scheme, host and optional port; no path, no trailing slash)");
            }
        }
        corsOrigins = List.copyOf(corsOrigins);
    }

    /** Defaults of {@code ./kiln serve}: 127.0.0.1:8080, the built site, no models, CORS off. */
    public static ServerConfig defaults() {
        return new ServerConfig(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_SITE_DIR, List.of(), List.of(), List.of(),
                defaultCacheDir());
    }

    /** {@code $KILN_CACHE}, else {@code ~/.cache/kiln/packages}. */
    public static Path defaultCacheDir() {
        String env = System.getenv("KILN_CACHE");
        if (env != null && !env.isBlank()) return Path.of(env);
        return Path.of(System.getProperty("user.home"), ".cache", "kiln", "packages");
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(host, p, siteDir, models, modelsDirs, corsOrigins, cacheDir);
    }

    public ServerConfig withSiteDir(Path dir) {
        return new ServerConfig(host, port, dir, models, modelsDirs, corsOrigins, cacheDir);
    }

    public ServerConfig withModels(List<Path> inputs, List<Path> dirs) {
        return new ServerConfig(host, port, siteDir, inputs, dirs, corsOrigins, cacheDir);
    }

    public ServerConfig withCorsOrigins(List<String> origins) {
        return new ServerConfig(host, port, siteDir, models, modelsDirs, origins, cacheDir);
    }

    public ServerConfig withCacheDir(Path dir) {
        return new ServerConfig(host, port, siteDir, models, modelsDirs, corsOrigins, dir);
    }

    /** The effective configuration, one setting per line, as {@code serve} prints it at start. */
    public String describe() {
        return "host:         " + host + "\n"
                + "port:         " + port + "\n"
                + "site dir:     " + siteDir.toAbsolutePath().normalize() + "\n"
                + "models:       " + (models.isEmpty() ? "(none)" : models) + "\n"
                + "models dirs:  " + (modelsDirs.isEmpty() ? "(none)" : modelsDirs) + "\n"
                + "cors origins: " + (corsOrigins.isEmpty() ? "(off)" : corsOrigins) + "\n"
                + "cache dir:    " + cacheDir.toAbsolutePath().normalize();
    }
}
