import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Build step (generate-sources): embeds every {@code *.wgsl} file of {@code <wgslDir>} into
 * {@code dev.kiln.shaders.ShaderSources}, a class with one string per file, because TeaVM-compiled code cannot read
 * class-path resources at run time. Run as a single-file program: {@code java GenerateShaderSources.java <wgslDir> <outDir>}.
 * Writes only when the text changed, so incremental builds stay incremental.
 */
public class GenerateShaderSources {
    public static void main(String[] args) throws IOException {
        if (args.length != 2) throw new IllegalArgumentException("usage: GenerateShaderSources <wgslDir> <outDir>");
        Path in = Path.of(args[0]);
        Path out = Path.of(args[1], "dev", "kiln", "shaders", "ShaderSources.java");
        List<Path> files;
        try (Stream<Path> s = Files.list(in)) {
            files = s.filter(p -> p.toString().endsWith(".wgsl")).sorted().collect(Collectors.toList());
        }
        if (files.isEmpty()) throw new IllegalStateException("no .wgsl files in " + in.toAbsolutePath());
        StringBuilder b = new StringBuilder();
        b.append("package dev.kiln.shaders;\n\n")
         .append("/** Generated from src/main/wgsl by src/build/GenerateShaderSources.java: do not edit. */\n")
         .append("final class ShaderSources {\n    private ShaderSources() {}\n\n")
         .append("    /** The text of {@code fileName} (e.g. \"mat_vec.wgsl\"), or null when there is no such file. */\n")
         .append("    static String get(String fileName) {\n        switch (fileName) {\n");
        for (Path f : files) {
            String text = Files.readString(f, StandardCharsets.UTF_8);
            b.append("            case \"").append(f.getFileName()).append("\": return ").append(literal(text)).append(";\n");
        }
        b.append("            default: return null;\n        }\n    }\n}\n");
        String java = b.toString();
        if (Files.exists(out) && Files.readString(out, StandardCharsets.UTF_8).equals(java)) return;
        Files.createDirectories(out.getParent());
        Files.writeString(out, java, StandardCharsets.UTF_8);
    }

    /** A Java string literal, split per line so the generated file stays readable. */
    private static String literal(String text) {
        StringBuilder b = new StringBuilder("\"\"");
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            StringBuilder l = new StringBuilder();
            for (char c : line.toCharArray()) {
                switch (c) {
                    case '"' -> l.append("\\\"");
                    case '\\' -> l.append("\\\\");
                    case '\r' -> { }
                    case '\t' -> l.append("\\t");
                    default -> {
                        if (c < 0x20 || c > 0x7e) l.append(String.format("\\u%04x", (int) c)); else l.append(c);
                    }
                }
            }
            b.append("\n                + \"").append(l).append(i < lines.length - 1 ? "\\n\"" : "\"");
        }
        return b.toString();
    }
}
