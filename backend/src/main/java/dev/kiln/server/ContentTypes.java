package dev.kiln.server;

import java.util.Locale;
import java.util.Map;

/** Content types by file extension, and which of them are worth compressing. */
public final class ContentTypes {

    private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("map", "application/json"),
            Map.entry("wasm", "application/wasm"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("md", "text/plain; charset=utf-8"),
            Map.entry("wgsl", "text/plain; charset=utf-8"),
            Map.entry("bin", "application/octet-stream"));

    private ContentTypes() {}

    public static String of(String fileName) {
        int dot = fileName.lastIndexOf('.');
        String ext = dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
        return BY_EXTENSION.getOrDefault(ext, "application/octet-stream");
    }

    /**
     * Text (and Wasm, which shrinks to about a third) is compressed when the client accepts gzip; shards
     * ({@code application/octet-stream}) never are: they are quantized weights, barely compressible, and ranges
     * must address their bytes.
     */
    public static boolean compressible(String contentType) {
        return contentType.startsWith("text/") || contentType.startsWith("application/json")
                || contentType.equals("application/wasm") || contentType.equals("image/svg+xml");
    }
}
