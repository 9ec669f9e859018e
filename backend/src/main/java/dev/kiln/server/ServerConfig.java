package dev.kiln.server;

import dev.kiln.packager.hub.Hub;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything {@link Server#create} needs. Paths may be relative (to the working directory, which {@code ./kiln}
 * sets to the repository root).
 *
 * @param host        interface to bind ({@code 127.0.0.1} keeps the server private to this machine)
 * @param port        TCP port; 0 picks a free one (tests)
 * @param siteDir     the static site (index.html, app.js, the webclient's .wasm/.js); served at {@code /}
 * @param models      model inputs ({@link ModelInput}): a packaged folder, a GGUF file, a Hugging Face folder, an
 *                    archive of either, or {@code hf:ORG/NAME[@REVISION]}
 * @param modelsDirs  folders whose entries are model inputs as above
 * @param corsOrigins origins allowed to fetch {@code /models/…} and {@code /api/…} cross-origin; empty = CORS off
 * @param cacheDir    where packages made from model inputs are kept, keyed by the input's content hash and the
 *                    packager version
 * @param hub         the hub for {@code hf:} ids: endpoint, HF_TOKEN, download cache
 * @param adminToken  the admin API's bearer token ({@code KILN_ADMIN_TOKEN}); null = the admin API is off
 * @param adminRoots  folders (besides {@code modelsDirs}) the admin API may package inputs from
 * @param allowedHosts host names a server bound to a loopback address also answers for ({@code --allowed-host});
 *                    requests for any other non-loopback {@code Host} get 403 (DNS rebinding)
 */
public record ServerConfig(String host, int port, Path siteDir, List<String> models, List<Path> modelsDirs,
                           List<String> corsOrigins, Path cacheDir, Hub.Options hub, String adminToken,
                           List<Path> adminRoots, List<String> allowedHosts) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final Path DEFAULT_SITE_DIR = Path.of("site", "target", "site");
    /** The environment variable holding the admin token; unset (or blank) keeps the admin API off. */
    public static final String ADMIN_TOKEN_ENV = "KILN_ADMIN_TOKEN";
    /** Shorter admin tokens are refused: the token is the only thing between the network and the packager. */
    public static final int MIN_ADMIN_TOKEN_LENGTH = 16;

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
        if (hub == null) throw new IllegalArgumentException("hub options must be given (Hub.Options.fromEnvironment)");
        if (adminToken != null && adminToken.isBlank()) adminToken = null;
        if (adminToken != null && adminToken.strip().length() < MIN_ADMIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException(ADMIN_TOKEN_ENV + " is " + adminToken.strip().length() + " characters long;"
                    + " use at least " + MIN_ADMIN_TOKEN_LENGTH + " random ones (e.g. openssl rand -hex 32), or unset it to keep the admin API off");
        }
        if (adminToken != null) adminToken = adminToken.strip();
        adminRoots = List.copyOf(adminRoots);
        for (String h : allowedHosts) {
            if (!h.matches("[A-Za-z0-9.\\-]+")) {
                throw new IllegalArgumentException("allowed host '" + h + "' must be a host name such as kiln.example"
                        + " (letters, digits, '.' and '-'; no scheme, port or path)");
            }
        }
        allowedHosts = List.copyOf(allowedHosts);
    }

    /** Without extra allowed hosts (the constructor {@code serve} used before {@code --allowed-host}). */
    public ServerConfig(String host, int port, Path siteDir, List<String> models, List<Path> modelsDirs,
                        List<String> corsOrigins, Path cacheDir, Hub.Options hub, String adminToken, List<Path> adminRoots) {
        this(host, port, siteDir, models, modelsDirs, corsOrigins, cacheDir, hub, adminToken, adminRoots, List.of());
    }

    /** Defaults of {@code ./kiln serve}: 127.0.0.1:8080, the built site, no models, CORS off, admin API off. */
    public static ServerConfig defaults() {
        return new ServerConfig(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_SITE_DIR, List.of(), List.of(), List.of(),
                defaultCacheDir(), Hub.Options.fromEnvironment(null), null, List.of());
    }

    /** {@code $KILN_CACHE}, else {@code ~/.cache/kiln/packages}. */
    public static Path defaultCacheDir() {
        String env = System.getenv("KILN_CACHE");
        if (env != null && !env.isBlank()) return Path.of(env);
        return Path.of(System.getProperty("user.home"), ".cache", "kiln", "packages");
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(host, p, siteDir, models, modelsDirs, corsOrigins, cacheDir, hub, adminToken, adminRoots, allowedHosts);
    }

    public ServerConfig withSiteDir(Path dir) {
        return new ServerConfig(host, port, dir, models, modelsDirs, corsOrigins, cacheDir, hub, adminToken, adminRoots, allowedHosts);
    }

    /** Model inputs that are paths (files or folders), and models dirs. */
    public ServerConfig withModels(List<Path> inputs, List<Path> dirs) {
        return withModelInputs(inputs.stream().map(Path::toString).toList(), dirs);
    }

    /** Model inputs as given on the command line (paths or hub ids), and models dirs. */
    public ServerConfig withModelInputs(List<String> inputs, List<Path> dirs) {
        return new ServerConfig(host, port, siteDir, inputs, dirs, corsOrigins, cacheDir, hub, adminToken, adminRoots, allowedHosts);
    }

    public ServerConfig withCorsOrigins(List<String> origins) {
        return new ServerConfig(host, port, siteDir, models, modelsDirs, origins, cacheDir, hub, adminToken, adminRoots, allowedHosts);
    }

    public ServerConfig withCacheDir(Path dir) {
        return new ServerConfig(host, port, siteDir, models, modelsDirs, corsOrigins, dir, hub, adminToken, adminRoots, allowedHosts);
    }

    public ServerConfig withHub(Hub.Options options) {
        return new ServerConfig(host, port, siteDir, models, modelsDirs, corsOrigins, cacheDir, options, adminToken, adminRoots, allowedHosts);
    }

    /** The admin API on with {@code token} (null: off), packaging inputs from {@code roots} and the models dirs. */
    public ServerConfig withAdmin(String token, List<Path> roots) {
        return new ServerConfig(host, port, siteDir, models, modelsDirs, corsOrigins, cacheDir, hub, token, roots, allowedHosts);
    }

    /** Also answer for {@code hosts} when bound to a loopback address ({@code --allowed-host}). */
    public ServerConfig withAllowedHosts(List<String> hosts) {
        return new ServerConfig(host, port, siteDir, models, modelsDirs, corsOrigins, cacheDir, hub, adminToken, adminRoots, hosts);
    }

    /** Where the admin API may read inputs from: the models dirs and the admin roots. */
    public List<Path> adminAllowedRoots() {
        List<Path> all = new java.util.ArrayList<>(modelsDirs);
        all.addAll(adminRoots);
        return all;
    }

    /** The effective configuration, one setting per line, as {@code serve} prints it at start (never the tokens). */
    public String describe() {
        return "host:         " + host + "\n"
                + "port:         " + port + "\n"
                + "site dir:     " + siteDir.toAbsolutePath().normalize() + "\n"
                + "models:       " + (models.isEmpty() ? "(none)" : models) + "\n"
                + "models dirs:  " + (modelsDirs.isEmpty() ? "(none)" : modelsDirs) + "\n"
                + "cors origins: " + (corsOrigins.isEmpty() ? "(off)" : corsOrigins) + "\n"
                + "cache dir:    " + cacheDir.toAbsolutePath().normalize() + "\n"
                + "hub:          " + hub.endpoint() + " (HF_TOKEN " + (hub.token() == null ? "not set" : "set")
                + "; downloads in " + hub.cache().toAbsolutePath().normalize() + ")\n"
                + "admin API:    " + (adminToken == null
                        ? "off (set " + ADMIN_TOKEN_ENV + " to turn it on)"
                        : "on (" + ADMIN_TOKEN_ENV + " is set); inputs only from "
                                + (adminAllowedRoots().isEmpty() ? "(no folder: only hf: ids)" : adminAllowedRoots())) + "\n"
                + "allowed hosts: " + (allowedHosts.isEmpty() ? "(loopback names only when bound to loopback)" : allowedHosts);
    }
}
