package dev.kiln.server;

import dev.kiln.packager.archive.Archive;
import dev.kiln.packager.hf.HfSource;
import dev.kiln.packager.hub.HubId;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One model input of {@code serve --model}, {@code generate --model}, {@code --models-dir} or the admin API, by kind:
 *
 * <pre>
 *   PACKAGE     folder holding manifest.json              served as is
 *   HF_FOLDER   folder holding config.json                packaged (Hugging Face checkpoint)
 *   ARCHIVE     *.tar, *.tar.gz, *.tgz, *.zip              packaged (holding an HF folder or a GGUF file)
 *   GGUF        any other file                            packaged (the GGUF reader says what is wrong with a non-GGUF)
 *   HUB         hf:ORG/NAME[@REVISION]                    downloaded into the hub cache, then packaged as HF_FOLDER
 * </pre>
 *
 * @param spec what was given (a path or a hub id)
 * @param path the local path; null for HUB
 * @param hub  the parsed hub id; null otherwise
 */
public record ModelInput(String spec, Kind kind, Path path, HubId hub) {

    public enum Kind { PACKAGE, HF_FOLDER, ARCHIVE, GGUF, HUB }

    /**
     * Classifies {@code spec}.
     *
     * @throws IllegalArgumentException a malformed hub id, a path that does not exist, or a folder that is neither
     *                                  a package nor a checkpoint (the message says what to pass instead)
     */
    public static ModelInput of(String spec) {
        if (spec == null || spec.isBlank()) throw new IllegalArgumentException("a model input is empty: pass a path or hf:ORG/NAME");
        if (HubId.isHubId(spec)) return new ModelInput(spec, Kind.HUB, null, HubId.parse(spec));
        Path p;
        try {
            p = Path.of(spec);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("model input '" + spec + "' is not a valid path: " + e.getReason());
        }
        if (!Files.exists(p)) throw new IllegalArgumentException("model input " + spec + " does not exist");
        if (!Files.isRegularFile(p) && !Files.isDirectory(p)) {
            // a FIFO, socket or device would block the reader forever or never end: only plain files and folders
            throw new IllegalArgumentException("model input " + spec + " is not a regular file or a folder (a FIFO, socket"
                    + " or device?): pass the model file or folder itself");
        }
        Kind kind = kindOf(p);
        if (kind == null) {
            throw new IllegalArgumentException("folder " + spec + " holds neither " + ServedModel.MANIFEST_FILE + " (a packaged"
                    + " model) nor " + HfSource.CONFIG + " (a Hugging Face checkpoint): pass one of those, a .gguf file or an archive");
        }
        return new ModelInput(spec, kind, p, null);
    }

    /** The kind of an existing path, or null for a folder that is neither a package nor a checkpoint. */
    static Kind kindOf(Path p) {
        if (Files.isDirectory(p)) {
            if (Files.isRegularFile(p.resolve(ServedModel.MANIFEST_FILE))) return Kind.PACKAGE;
            if (Files.isRegularFile(p.resolve(HfSource.CONFIG))) return Kind.HF_FOLDER;
            return null;
        }
        return Archive.isArchive(p) ? Kind.ARCHIVE : Kind.GGUF;
    }

    /**
     * Whether an entry of a {@code --models-dir} is a model: a package or checkpoint folder, a {@code .gguf} file or
     * an archive. Hidden entries and anything else (notes, licences) are not.
     */
    static boolean isModelEntry(Path p) {
        String n = p.getFileName().toString();
        if (n.startsWith(".")) return false;
        if (Files.isDirectory(p)) return kindOf(p) != null;
        return Files.isRegularFile(p) && (Archive.isArchive(p) || n.toLowerCase(Locale.ROOT).endsWith(".gguf"));
    }

    /**
     * The model's name, from which its id is made: a file's name without its extension ({@code .tar.gz} counts as
     * one), a folder's name, or a hub model's NAME (with {@code -REVISION} unless the revision is main).
     */
    public String name() {
        if (kind == Kind.HUB) return hub.revision().equals("main") ? hub.name() : hub.name() + "-" + hub.revision();
        Path n = path.toAbsolutePath().normalize().getFileName();
        String s = n == null ? "model" : n.toString();
        if (kind == Kind.PACKAGE || kind == Kind.HF_FOLDER) return s;
        return s.replaceFirst("(?i)(\\.tar\\.gz|\\.tgz|\\.tar|\\.zip|\\.[^.]*)$", "");
    }

    /** Whether the server packages this input (everything but a package folder). */
    public boolean needsPackaging() { return kind != Kind.PACKAGE; }
}
