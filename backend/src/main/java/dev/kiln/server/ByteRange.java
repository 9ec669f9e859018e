package dev.kiln.server;

/**
 * One byte range of a {@code Range: bytes=…} header, resolved against the file size (RFC 9110 §14.1.2).
 *
 * <pre>
 *   bytes=a-b   first a, last min(b, size-1)          a &lt; size, else unsatisfiable (416)
 *   bytes=a-    first a, last size-1                  a &lt; size, else 416
 *   bytes=-n    the last n bytes: first max(0, size-n)  n &gt; 0 and size &gt; 0, else 416
 * </pre>
 * A header this server does not honour — another unit, bad syntax, {@code a > b}, or several ranges — is ignored
 * and the whole file is sent with 200, which RFC 9110 allows ("a server MAY ignore the Range header field").
 *
 * @param first first byte, inclusive
 * @param last  last byte, inclusive
 */
public record ByteRange(long first, long last) {

    /** What a Range header asks for. */
    public sealed interface Request permits Whole, Partial, Unsatisfiable {}

    /** No (usable) range: send the whole representation. */
    public record Whole() implements Request {}

    public record Partial(ByteRange range) implements Request {}

    public record Unsatisfiable() implements Request {}

    public long length() { return last - first + 1; }

    /** {@code Content-Range} value of a 206. */
    public String contentRange(long size) { return "bytes " + first + "-" + last + "/" + size; }

    public static Request parse(String header, long size) {
        if (header == null) return new Whole();
        String h = header.trim();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6)) return new Whole();
        String spec = h.substring(6).trim();
        if (spec.contains(",")) return new Whole();
        int dash = spec.indexOf('-');
        if (dash < 0) return new Whole();
        String a = spec.substring(0, dash).trim();
        String b = spec.substring(dash + 1).trim();
        if (a.isEmpty()) {
            long n = digits(b);
            if (n < 0) return new Whole();
            if (n == 0 || size == 0) return new Unsatisfiable();
            return new Partial(new ByteRange(Math.max(0, size - n), size - 1));
        }
        long first = digits(a);
        if (first < 0) return new Whole();
        long last;
        if (b.isEmpty()) {
            last = size - 1;
        } else {
            last = digits(b);
            if (last < 0 || last < first) return new Whole();
            last = Math.min(last, size - 1);
        }
        if (first >= size) return new Unsatisfiable();
        return new Partial(new ByteRange(first, last));
    }

    /** A non-negative decimal, or -1 when {@code s} is not one (or would overflow a long). */
    private static long digits(String s) {
        if (s.isEmpty() || s.length() > 18) return -1;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return -1;
        return Long.parseLong(s);
    }
}
