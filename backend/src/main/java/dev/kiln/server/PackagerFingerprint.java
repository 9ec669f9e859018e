package dev.kiln.server;

import dev.kiln.model.Manifest;
import dev.kiln.packager.Packager;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * "The packager version" of the package cache key: the manifest format version plus a hash of the packager's
 * compiled classes (names and bytes, not jar timestamps). Any change to the packager's code therefore makes earlier
 * packages stale, and a rebuild of the same code keeps them.
 */
public final class PackagerFingerprint {

    private static volatile String value;

    private PackagerFingerprint() {}

    public static String get() {
        String v = value;
        if (v == null) value = v = "v" + Manifest.VERSION + "-" + classesHash();
        return v;
    }

    private static String classesHash() {
        MessageDigest sha = FileTag.sha256();
        try {
            Path where = Path.of(Packager.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(where)) {
                List<Path> classes = new ArrayList<>();
                try (Stream<Path> s = Files.walk(where)) {
                    s.filter(p -> p.toString().endsWith(".class")).forEach(classes::add);
                }
                Collections.sort(classes);
                for (Path p : classes) {
                    sha.update(where.relativize(p).toString().getBytes(StandardCharsets.UTF_8));
                    sha.update(Files.readAllBytes(p));
                }
            } else {
                try (JarFile jar = new JarFile(where.toFile())) {
                    List<JarEntry> entries = new ArrayList<>(jar.stream().filter(e -> e.getName().endsWith(".class")).toList());
                    entries.sort((a, b) -> a.getName().compareTo(b.getName()));
                    for (JarEntry e : entries) {
                        sha.update(e.getName().getBytes(StandardCharsets.UTF_8));
                        try (InputStream in = jar.getInputStream(e)) {
                            sha.update(in.readAllBytes());
                        }
                    }
                }
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            throw new IllegalStateException("cannot fingerprint the packager's classes: " + e, e);
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 6);
    }
}
