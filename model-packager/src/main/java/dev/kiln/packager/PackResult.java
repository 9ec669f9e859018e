package dev.kiln.packager;

import dev.kiln.model.Manifest;

import java.nio.file.Path;
import java.util.List;

/**
 * A finished package.
 *
 * @param dir      the output directory (holds manifest.json, the shards and the tokenizer file)
 * @param manifest what was written to {@code dir/manifest.json}
 * @param errors   per tensor, in manifest order: how far the packed values are from the source
 * @param millis   wall time of packaging
 */
public record PackResult(Path dir, Manifest manifest, List<QuantError> errors, long millis) {
    public Path manifestFile() { return dir.resolve(Packager.MANIFEST_FILE); }
}
