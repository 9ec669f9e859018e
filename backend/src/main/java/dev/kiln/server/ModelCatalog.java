package dev.kiln.server;

import dev.kiln.model.Manifest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The models a server serves, prepared once at start from the configured inputs:
 *
 * <pre>
 *   folder with manifest.json   served as is
 *   file *.gguf                 packaged into the {@link PackageCache} unless an up-to-date package is there
 *   --models-dir DIR            each entry of DIR that is one of the above (other entries are ignored)
 * </pre>
 * An input that fails (missing, malformed, unsupported) is logged and listed in {@link #failures()}; the others
 * are served. Ids come from the input's name, made URL-safe and unique.
 */
public final class ModelCatalog {

    /** What happened to one input. */
    public enum Outcome { SERVED_AS_IS, PACKAGED, REUSED_PACKAGE, FAILED }

    /** One input and its fate, for the start-up log and for tests. */
    public record Report(Path input, String id, Outcome outcome, String message) {}

    private final Map<String, ServedModel> models = new LinkedHashMap<>();
    private final List<Report> reports = new ArrayList<>();

    private ModelCatalog() {}

    public static ModelCatalog empty() { return new ModelCatalog(); }

    public static ModelCatalog prepare(ServerConfig config) {
        ModelCatalog catalog = new ModelCatalog();
        List<Path> inputs = new ArrayList<>(config.models());
        for (Path dir : config.modelsDirs()) {
            if (!Files.isDirectory(dir)) {
                catalog.fail(dir, "models dir " + dir + " is not a folder");
                continue;
            }
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> !p.getFileName().toString().startsWith("."))
                        .filter(p -> isPackage(p) || p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gguf"))
                        .sorted().forEach(inputs::add);
            } catch (IOException e) {
                catalog.fail(dir, "cannot list models dir " + dir + ": " + e.getMessage());
            }
        }
        PackageCache cache = null;
        for (Path input : inputs) {
            try {
                if (isPackage(input)) {
                    catalog.add(input, input, Outcome.SERVED_AS_IS);
                } else if (Files.isRegularFile(input)) {
                    if (cache == null) cache = new PackageCache(config.cacheDir());
                    PackageCache.Entry e = cache.packageOf(input);
                    catalog.add(input, e.dir(), e.outcome() == PackageCache.Outcome.PACKAGED ? Outcome.PACKAGED : Outcome.REUSED_PACKAGE);
                } else if (Files.isDirectory(input)) {
                    throw new IllegalArgumentException("folder " + input + " holds no manifest.json: pass a packaged"
                            + " model folder or a .gguf file");
                } else {
                    throw new IllegalArgumentException("model input " + input + " does not exist");
                }
            } catch (Exception e) {
                catalog.fail(input, e.getMessage() == null ? e.toString() : e.getMessage());
                Server.LOG.debug("model input " + input + " failed", e);
            }
        }
        return catalog;
    }

    private static boolean isPackage(Path p) {
        return Files.isDirectory(p) && Files.isRegularFile(p.resolve(ServedModel.MANIFEST_FILE));
    }

    private void add(Path input, Path dir, Outcome outcome) throws IOException {
        Path real = dir.toRealPath();
        Manifest manifest = Manifest.fromJson(Files.readString(real.resolve(ServedModel.MANIFEST_FILE), StandardCharsets.UTF_8));
        String base = slug(Files.isDirectory(input) ? input.toAbsolutePath().normalize().getFileName().toString()
                : input.getFileName().toString().replaceFirst("\\.[^.]*$", ""));
        String id = base;
        for (int k = 2; models.containsKey(id); k++) id = base + "-" + k;
        ServedModel m = new ServedModel(id, real, manifest, input);
        for (String f : m.files()) {
            if (!Files.isRegularFile(real.resolve(f))) {
                throw new IllegalArgumentException("package " + real + " lacks " + f + " named by its manifest: re-package it");
            }
        }
        models.put(id, m);
        reports.add(new Report(input, id, outcome, "serving at " + m.manifestUrl()));
        Server.LOG.info("model '{}' ({}): {} at {}", id, input, outcome.name().toLowerCase(Locale.ROOT).replace('_', ' '), m.manifestUrl());
    }

    private void fail(Path input, String message) {
        reports.add(new Report(input, null, Outcome.FAILED, message));
        Server.LOG.error("model input {} skipped: {}", input, message);
    }

    /** Lowercase letters, digits, '.', '_' and '-'; anything else becomes '-'. Never empty, never starts with '.'. */
    static String slug(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^[.-]+", "");
        return s.isEmpty() ? "model" : s;
    }

    public List<ServedModel> models() { return List.copyOf(models.values()); }

    public ServedModel model(String id) { return models.get(id); }

    public List<Report> reports() { return Collections.unmodifiableList(reports); }

    public List<Report> failures() { return reports.stream().filter(r -> r.outcome() == Outcome.FAILED).toList(); }
}
