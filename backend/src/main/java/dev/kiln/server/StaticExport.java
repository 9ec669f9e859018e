package dev.kiln.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A complete static copy of what the server serves, for any web server (no Java): the built site (page, both engine
 * builds, service worker and its precache list), each served model under {@code models/<id>/} (manifest, tokenizer,
 * shards) and {@code models.json}, the list {@code GET /api/models} answers, with manifest URLs relative to the page,
 * so the folder works under any sub-path. {@code kiln export} writes it; {@code docs/self-hosting.md} says how to
 * serve it.
 */
public final class StaticExport {
    private StaticExport() {}

    /** The list file the page reads when there is no {@code api/models}. */
    public static final String MODEL_LIST = "models.json";

    /** Writes the export into {@code out} (created; must be empty or absent); returns the bytes written. */
    public static long write(ModelCatalog catalog, Path site, Path out) throws IOException {
        if (!Files.isRegularFile(site.resolve("index.html"))) {
            throw new IOException("the built site is missing at " + site + " (no index.html): build it first (./kiln build)");
        }
        if (Files.isDirectory(out)) {
            try (Stream<Path> s = Files.list(out)) {
                if (s.findAny().isPresent()) throw new IOException("--out " + out + " is not empty: give a new or empty folder");
            }
        }
        Files.createDirectories(out);
        long[] bytes = {0};
        try (Stream<Path> walk = Files.walk(site)) {
            for (Path p : walk.sorted().toList()) {
                String rel = site.relativize(p).toString().replace('\\', '/');
                if (rel.equals("models") || rel.startsWith("models/") || rel.equals(MODEL_LIST)) continue;
                Path to = out.resolve(rel);
                if (Files.isDirectory(p)) Files.createDirectories(to);
                else bytes[0] += copy(p, to);
            }
        }
        List<ModelInfo> list = new ArrayList<>();
        for (ServedModel m : catalog.models()) {
            Path dir = out.resolve("models").resolve(m.id());
            Files.createDirectories(dir);
            bytes[0] += copy(m.dir().resolve(ServedModel.MANIFEST_FILE), dir.resolve(ServedModel.MANIFEST_FILE));
            for (String f : m.files()) {
                if (!f.equals(ServedModel.MANIFEST_FILE)) bytes[0] += copy(m.dir().resolve(f), dir.resolve(f));
            }
            long tokenizer = Files.size(m.dir().resolve(m.manifest().tokenizer()));
            list.add(ModelInfo.of(m, tokenizer).withManifestUrl("models/" + m.id() + "/" + ServedModel.MANIFEST_FILE));
        }
        String json = Server.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(list);
        Files.writeString(out.resolve(MODEL_LIST), json);
        return bytes[0] + json.length();
    }

    private static long copy(Path from, Path to) throws IOException {
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        return Files.size(to);
    }
}
