package dev.kiln.server;

import dev.kiln.model.Manifest;
import dev.kiln.packager.hub.Hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The models a server serves, prepared at start from the configured inputs ({@link ModelInput}: packaged folders
 * served as is; GGUF files, Hugging Face folders, archives and hub ids packaged into the {@link PackageCache} unless
 * an up-to-date package is there), and added to at runtime by the admin API ({@link #load}).
 *
 * <pre>
 *   --model INPUT        any input kind
 *   --models-dir DIR     each entry of DIR that is a model ({@link ModelInput#isModelEntry}); other entries are ignored
 * </pre>
 * An input that fails at start (missing, malformed, unsupported, unreachable hub) is logged and listed in
 * {@link #failures()}; the others are served. Ids come from the input's name ({@link ModelInput#name()}), made
 * URL-safe and unique. Safe for concurrent readers while a model is being added.
 */
public final class ModelCatalog {

    /** What happened to one input. */
    public enum Outcome { SERVED_AS_IS, PACKAGED, REUSED_PACKAGE, FAILED }

    /** One input and its fate, for the start-up log and for tests. */
    public record Report(String input, String id, Outcome outcome, String message) {}

    /** A model {@link #load} made available, and how. */
    public record Loaded(ServedModel model, Outcome outcome) {}

    private final ServerConfig config;
    private final Map<String, ServedModel> models = new LinkedHashMap<>();
    private final List<Report> reports = new ArrayList<>();
    private PackageCache cache;

    private ModelCatalog(ServerConfig config) { this.config = config; }

    /** No models yet; {@link #load} adds some with {@code config}'s cache and hub. */
    public static ModelCatalog empty(ServerConfig config) { return new ModelCatalog(config); }

    public static ModelCatalog prepare(ServerConfig config) {
        ModelCatalog catalog = new ModelCatalog(config);
        List<String> inputs = new ArrayList<>(config.models());
        for (Path dir : config.modelsDirs()) {
            if (!Files.isDirectory(dir)) {
                catalog.fail(dir.toString(), "models dir " + dir + " is not a folder");
                continue;
            }
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(ModelInput::isModelEntry).sorted().forEach(p -> inputs.add(p.toString()));
            } catch (IOException e) {
                catalog.fail(dir.toString(), "cannot list models dir " + dir + ": " + e.getMessage());
            }
        }
        for (String input : inputs) {
            try {
                catalog.load(input, null, false);
            } catch (Exception e) {
                catalog.fail(input, e.getMessage() == null ? e.toString() : e.getMessage());
                Server.LOG.debug("model input " + input + " failed", e);
            }
        }
        return catalog;
    }

    /**
     * Prepares one input and serves it: downloads a hub model, packages (or finds the package of) anything but a
     * packaged folder. An input whose package is already served returns that model (at start, each input gets its
     * own id even then).
     *
     * @param listener receives download, hashing and packaging progress (may be null)
     * @throws IllegalArgumentException the input does not exist or is not a model (see {@link ModelInput#of})
     * @throws dev.kiln.packager.ModelFormatException the model is malformed or unsupported (names what)
     * @throws IOException              reading, downloading or packaging failed
     */
    public Loaded load(String input, Consumer<ProgressReport> listener) throws IOException {
        return load(input, listener, true);
    }

    private Loaded load(String input, Consumer<ProgressReport> listener, boolean reuse) throws IOException {
        ModelInput in = ModelInput.of(input);
        if (!in.needsPackaging()) return add(input, in.name(), in.path(), in.path(), Outcome.SERVED_AS_IS, reuse);
        Path local = in.path();
        if (in.kind() == ModelInput.Kind.HUB) {
            Server.LOG.info("{}: fetching from {} (cache {})", input, config.hub().endpoint(), config.hub().cache());
            local = new Hub(config.hub(), new ProgressLog(in.hub().toString(), "download", null, listener)).fetch(in.hub());
        }
        PackageCache.Entry e = cache().packageOf(local, in.name(), listener);
        return add(input, in.name(), local, e.dir(), e.outcome() == PackageCache.Outcome.PACKAGED ? Outcome.PACKAGED : Outcome.REUSED_PACKAGE, reuse);
    }

    private synchronized PackageCache cache() throws IOException {
        if (cache == null) cache = new PackageCache(config.cacheDir());
        return cache;
    }

    private Loaded add(String input, String name, Path source, Path dir, Outcome outcome, boolean reuse) throws IOException {
        Path real = dir.toRealPath();
        Path manifestFile = real.resolve(ServedModel.MANIFEST_FILE);
        long size = Files.size(manifestFile);
        if (size > ServedModel.MAX_MANIFEST_BYTES) {
            throw new IllegalArgumentException(manifestFile + " is " + size + " bytes, more than the " + ServedModel.MAX_MANIFEST_BYTES
                    + " a manifest may have: re-package the model");
        }
        Manifest manifest;
        try {
            manifest = Manifest.fromJson(Files.readString(manifestFile, StandardCharsets.UTF_8));
        } catch (dev.kiln.json.JsonException e) {
            throw new IllegalArgumentException(manifestFile + ": " + e.getMessage() + "; re-package the model", e);
        }
        synchronized (this) {
            for (ServedModel m : models.values()) {
                if (reuse && m.dir().equals(real)) {
                    reports.add(new Report(input, m.id(), outcome, "already served as '" + m.id() + "' at " + m.manifestUrl()));
                    Server.LOG.info("model input {}: the same package as model '{}', served at {}", input, m.id(), m.manifestUrl());
                    return new Loaded(m, outcome);
                }
            }
            String base = slug(name);
            String id = base;
            for (int k = 2; models.containsKey(id); k++) id = base + "-" + k;
            ServedModel m = new ServedModel(id, real, manifest, source);
            for (String f : m.files()) {
                if (!Files.isRegularFile(real.resolve(f))) {
                    throw new IllegalArgumentException("package " + real + " lacks " + f + " named by its manifest: re-package it");
                }
            }
            models.put(id, m);
            reports.add(new Report(input, id, outcome, "serving at " + m.manifestUrl()));
            Server.LOG.info("model '{}' ({}): {} at {}", id, input, outcome.name().toLowerCase(Locale.ROOT).replace('_', ' '), m.manifestUrl());
            return new Loaded(m, outcome);
        }
    }

    private synchronized void fail(String input, String message) {
        reports.add(new Report(input, null, Outcome.FAILED, message));
        Server.LOG.error("model input {} skipped: {}", input, message);
    }

    /** Lowercase letters, digits, '.', '_' and '-'; anything else becomes '-'. Never empty, never starts with '.'. */
    static String slug(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^[.-]+", "");
        return s.isEmpty() ? "model" : s;
    }

    public synchronized List<ServedModel> models() { return List.copyOf(models.values()); }

    public synchronized ServedModel model(String id) { return models.get(id); }

    public synchronized List<Report> reports() { return List.copyOf(reports); }

    public synchronized List<Report> failures() { return reports.stream().filter(r -> r.outcome() == Outcome.FAILED).toList(); }
}
