package dev.kiln.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The static site below one root. A request path that {@link RequestPath} accepted is resolved below the root and
 * its real path (all symlinks followed) must still lie below the root's real path and be a regular file; anything
 * else is a 404, so neither a symlink leading out nor a directory listing can be reached. "/" is index.html.
 */
public final class SiteFiles {

    private final Path root;      // as configured
    private final Path realRoot;  // null when the folder does not exist (yet)

    public SiteFiles(Path root) {
        this.root = root.toAbsolutePath().normalize();
        Path real;
        try {
            real = Files.isDirectory(this.root) ? this.root.toRealPath() : null;
        } catch (IOException e) {
            real = null;
        }
        this.realRoot = real;
    }

    public boolean exists() { return realRoot != null; }

    public Path root() { return root; }

    /** The file for this path, or an {@link HttpError} 404. */
    public Path resolve(RequestPath path) {
        if (realRoot == null) throw HttpError.notFound("the site is not built (no folder " + root + "): run ./kiln build");
        String rel = path.size() == 0 ? "index.html" : path.relative();
        return below(realRoot, rel);
    }

    /** {@code rel} below {@code realRoot}, following symlinks only while they stay inside; else 404. */
    static Path below(Path realRoot, String rel) {
        Path candidate = realRoot.resolve(rel).normalize();
        if (!candidate.startsWith(realRoot)) throw HttpError.notFound("no such file");
        Path real;
        try {
            real = candidate.toRealPath();
        } catch (IOException e) {
            throw HttpError.notFound("no such file");
        }
        if (!real.startsWith(realRoot) || !Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
            throw HttpError.notFound("no such file");
        }
        return real;
    }
}
