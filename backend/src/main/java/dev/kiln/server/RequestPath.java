package dev.kiln.server;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The one place a request path is decoded and judged. The raw path (as sent, still percent-encoded) is decoded
 * exactly once, then refused when it could name anything but a plain file below a root:
 *
 * <pre>
 *   longer than MAX_LENGTH                      400   (overlong)
 *   '%' not followed by two hex digits          400
 *   bytes that are not UTF-8                    400
 *   after decoding: '%'                          400   (double encoding: %252e → %2e)
 *   '\', ';', ':', NUL or any control char       400   (Windows separators, path parameters, drive letters)
 *   not starting with '/', empty segment '//'    400   (absolute or odd paths)
 *   segment '.' or '..'                          400   (traversal, plain or %2e-encoded)
 *   segment starting with '.'                    404   (hidden files such as .git are never served)
 * </pre>
 * What passes is a list of plain segments. Callers then resolve them below a root and check the real path (which
 * catches symlinks leading out); see {@link SiteFiles} and {@link ModelCatalog}.
 *
 * @param segments the decoded path segments; empty for "/"
 */
public record RequestPath(List<String> segments) {

    public static final int MAX_LENGTH = 1024;

    public static RequestPath parse(String raw) {
        if (raw == null || raw.isEmpty() || raw.charAt(0) != '/') throw HttpError.badRequest("the path must start with '/'");
        if (raw.length() > MAX_LENGTH) throw HttpError.badRequest("the path is longer than " + MAX_LENGTH + " characters");
        String path = decode(raw);
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x20 || c == 0x7f) throw HttpError.badRequest("the path contains a control character");
            if (c == '%') throw HttpError.badRequest("the path is percent-encoded twice");
            if (c == '\\' || c == ';' || c == ':') throw HttpError.badRequest("the path contains '" + c + "'");
        }
        if (path.equals("/")) return new RequestPath(List.of());
        String[] parts = path.substring(1).split("/", -1);
        // a trailing slash ("/models/x/") names a directory: those are never listed
        for (int i = 0; i < parts.length; i++) {
            String s = parts[i];
            if (s.isEmpty() && i == parts.length - 1) throw HttpError.notFound("directories are not listed");
            if (s.isEmpty()) throw HttpError.badRequest("the path contains an empty segment '//'");
            if (s.equals(".") || s.equals("..")) throw HttpError.badRequest("the path contains a '" + s + "' segment");
            if (s.startsWith(".")) throw HttpError.notFound("hidden files are not served");
        }
        return new RequestPath(List.of(parts));
    }

    public int size() { return segments.size(); }

    public String segment(int i) { return segments.get(i); }

    /** Segments joined with '/', relative (no leading slash). */
    public String relative() { return String.join("/", segments); }

    private static String decode(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length() || hex(raw.charAt(i + 1)) < 0 || hex(raw.charAt(i + 2)) < 0) {
                    throw HttpError.badRequest("'%' in the path must be followed by two hex digits");
                }
                bytes.write(hex(raw.charAt(i + 1)) * 16 + hex(raw.charAt(i + 2)));
                i += 2;
            } else if (c > 0x7f) {
                throw HttpError.badRequest("the path has a raw non-ASCII character; percent-encode it");
            } else {
                bytes.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw HttpError.badRequest("the path is not valid UTF-8 once decoded");
        }
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
}
