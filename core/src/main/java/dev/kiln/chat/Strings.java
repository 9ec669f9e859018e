package dev.kiln.chat;

import java.util.ArrayList;
import java.util.List;

/** Python's str operations on string values, keeping untrusted marks exactly where the result is a substring. */
final class Strings {
    private Strings() {}

    /** Python's str.isspace() for one character. */
    static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    /** str.strip / lstrip / rstrip: {@code chars} null strips whitespace. */
    static Object strip(Object s, String chars, boolean left, boolean right) {
        String t = MarkedString.text(s);
        int a = 0, b = t.length();
        if (left) while (a < b && strips(t.charAt(a), chars)) a++;
        if (right) while (b > a && strips(t.charAt(b - 1), chars)) b--;
        return MarkedString.sub(s, a, b);
    }

    private static boolean strips(char c, String chars) {
        return chars == null ? isSpace(c) : chars.indexOf(c) >= 0;
    }

    /** str.split(sep, maxsplit): {@code sep} null splits on runs of whitespace and drops empty pieces. */
    static List<Object> split(Object s, String sep, long maxsplit) {
        String t = MarkedString.text(s);
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int i = 0, n = t.length();
            while (true) {
                while (i < n && isSpace(t.charAt(i))) i++;
                if (i >= n) break;
                if (maxsplit >= 0 && out.size() == maxsplit) {
                    int e = n;
                    while (e > i && isSpace(t.charAt(e - 1))) e--;
                    out.add(MarkedString.sub(s, i, e));
                    break;
                }
                int j = i;
                while (j < n && !isSpace(t.charAt(j))) j++;
                out.add(MarkedString.sub(s, i, j));
                i = j;
            }
            return out;
        }
        int from = 0;
        for (int k = t.indexOf(sep); k >= 0 && (maxsplit < 0 || out.size() < maxsplit); k = t.indexOf(sep, from)) {
            out.add(MarkedString.sub(s, from, k));
            from = k + sep.length();
        }
        out.add(MarkedString.sub(s, from, t.length()));
        return out;
    }

    /** str.splitlines() (without keepends), on Python's line boundaries (\n, \r\n, \r, \v, \f, \x1c-\x1e, \x85, U+2028/9). */
    static List<Object> splitlines(Object s) {
        String t = MarkedString.text(s);
        List<Object> out = new ArrayList<>();
        int from = 0, i = 0;
        while (i < t.length()) {
            char c = t.charAt(i);
            if (c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || (c >= 0x1c && c <= 0x1e) || c == 0x85 || c == 0x2028 || c == 0x2029) {
                out.add(MarkedString.sub(s, from, i));
                i += c == '\r' && i + 1 < t.length() && t.charAt(i + 1) == '\n' ? 2 : 1;
                from = i;
            } else {
                i++;
            }
        }
        if (from < t.length()) out.add(MarkedString.sub(s, from, t.length()));
        return out;
    }

    /** str.replace(old, new, count): the result is untrusted as a whole when any of the three is. */
    static Object replace(Object s, Object old, Object rep, long count) {
        String t = MarkedString.text(s), o = MarkedString.text(old), r = MarkedString.text(rep);
        StringBuilder out = new StringBuilder();
        int from = 0;
        long done = 0;
        if (o.isEmpty()) {
            for (int i = 0; i <= t.length(); i++) {
                if (count >= 0 && done == count) {
                    out.append(t, i, t.length());
                    break;
                }
                out.append(r);
                done++;
                if (i < t.length()) out.append(t.charAt(i));
            }
        } else {
            for (int k = t.indexOf(o); k >= 0 && (count < 0 || done < count); k = t.indexOf(o, from)) {
                out.append(t, from, k).append(r);
                from = k + o.length();
                done++;
            }
            out.append(t, from, t.length());
        }
        boolean marked = MarkedString.isMarked(s) || MarkedString.isMarked(old) || MarkedString.isMarked(rep);
        return MarkedString.derived(out.toString(), marked);
    }

    /** sep.join(items), marks kept in place. */
    static Object join(List<Object> items, Object sep) {
        Object out = "";
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) out = MarkedString.concat(out, sep);
            out = MarkedString.concat(out, Evaluator.stringValue(items.get(i)));
        }
        return out;
    }

    /** Python's str.title(): the first letter of each run of letters upper-case, the rest lower-case. */
    static String pyTitle(String t) {
        StringBuilder out = new StringBuilder(t.length());
        boolean prevCased = false;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            out.append(prevCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
            prevCased = Character.isLetter(c);
        }
        return out.toString();
    }

    static String capitalize(String t) {
        if (t.isEmpty()) return t;
        return t.substring(0, 1).toUpperCase() + t.substring(1).toLowerCase();
    }
}
