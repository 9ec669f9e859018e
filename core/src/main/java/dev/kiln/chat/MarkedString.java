package dev.kiln.chat;

import java.util.Arrays;

/**
 * A string value some of whose characters came from untrusted input (message content, tool and document values):
 * {@code untrusted} holds sorted, disjoint, non-empty [start, end) character ranges. Template literals are plain Java
 * {@link String}s (all trusted); every operation that builds a string from a marked one keeps the marks (exactly for
 * concatenation and substrings, the whole result otherwise), so the rendered prompt knows which characters a user
 * wrote.
 */
final class MarkedString implements CharSequence {
    private static final int[] NONE = new int[0];

    final String s;
    final int[] untrusted; // (2 * ranges) start, end pairs

    MarkedString(String s, int[] untrusted) {
        this.s = s;
        this.untrusted = untrusted;
    }

    /** {@code s} with all of its characters untrusted. */
    static MarkedString untrusted(String s) {
        return new MarkedString(s, s.isEmpty() ? NONE : new int[] {0, s.length()});
    }

    /** The text of a string value (String or MarkedString). */
    static String text(Object v) {
        return v instanceof MarkedString m ? m.s : (String) v;
    }

    /** The untrusted ranges of a string value; none for a plain String. */
    static int[] marks(Object v) {
        return v instanceof MarkedString m ? m.untrusted : NONE;
    }

    static boolean isMarked(Object v) {
        return v instanceof MarkedString m && m.untrusted.length > 0;
    }

    /** {@code text} as a value: untrusted as a whole when {@code untrusted}, else a plain String. */
    static Object derived(String text, boolean untrusted) {
        return untrusted ? untrusted(text) : text;
    }

    /** a + b with the marks of both kept in place. */
    static Object concat(Object a, Object b) {
        String ta = text(a), tb = text(b);
        int[] ma = marks(a), mb = marks(b);
        if (ma.length == 0 && mb.length == 0) return ta + tb;
        StringBuilder out = new StringBuilder(ta.length() + tb.length()).append(ta).append(tb);
        return new MarkedString(out.toString(), shiftJoin(ma, mb, ta.length()));
    }

    /** The characters [from, to) of a string value, with their marks. */
    static Object sub(Object v, int from, int to) {
        String t = text(v).substring(from, to);
        int[] m = marks(v);
        if (m.length == 0) return t;
        int[] out = new int[m.length];
        int n = 0;
        for (int i = 0; i < m.length; i += 2) {
            int a = Math.max(m[i], from), b = Math.min(m[i + 1], to);
            if (a < b) {
                out[n++] = a - from;
                out[n++] = b - from;
            }
        }
        return n == 0 ? t : new MarkedString(t, Arrays.copyOf(out, n));
    }

    /** The marks of a followed by those of b shifted by {@code offset}, adjacent ranges merged. */
    static int[] shiftJoin(int[] a, int[] b, int offset) {
        int[] out = new int[a.length + b.length];
        int n = 0;
        for (int i = 0; i < a.length; i += 2) {
            out[n++] = a[i];
            out[n++] = a[i + 1];
        }
        for (int i = 0; i < b.length; i += 2) {
            int s = b[i] + offset, e = b[i + 1] + offset;
            if (n > 0 && out[n - 1] == s) {
                out[n - 1] = e;
            } else {
                out[n++] = s;
                out[n++] = e;
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    @Override public int length() { return s.length(); }
    @Override public char charAt(int index) { return s.charAt(index); }
    @Override public CharSequence subSequence(int start, int end) { return s.subSequence(start, end); }
    @Override public String toString() { return s; }
}
