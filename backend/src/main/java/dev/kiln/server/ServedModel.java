package dev.kiln.server;

import dev.kiln.model.Manifest;
import dev.kiln.model.ShardInfo;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A packaged model the server serves at {@code /models/<id>/<file>}. Only the files its manifest names (the
 * manifest itself, the tokenizer file and the shards) are reachable: nothing else in {@code dir} is ever served.
 *
 * @param id       URL segment: lowercase letters, digits, '.', '_' and '-'
 * @param dir      real path of the package folder
 * @param manifest the parsed manifest
 * @param source   where it came from (the input file or folder), for logs
 */
public record ServedModel(String id, Path dir, Manifest manifest, Path source) {

    public static final String MANIFEST_FILE = "manifest.json";
    /** Largest manifest read: a real one is a few KB per tensor, well under this. */
    public static final long MAX_MANIFEST_BYTES = 16L << 20;

    public Set<String> files() {
        Set<String> names = new LinkedHashSet<>();
        names.add(MANIFEST_FILE);
        names.add(manifest.tokenizer());
        for (ShardInfo s : manifest.shards()) names.add(s.file());
        return names;
    }

    public String manifestUrl() { return "/models/" + id + "/" + MANIFEST_FILE; }
}
