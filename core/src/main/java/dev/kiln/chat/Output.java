package dev.kiln.chat;

/** Rendered text being built, with the character ranges that came from untrusted values. */
final class Output {
    private final StringBuilder text = new StringBuilder();
    private int[] marks = new int[8]; // (2 * ranges) start, end
    private int n;

    /** Appends a string value (String or MarkedString) with its marks. */
    void append(Object s) {
        String t = MarkedString.text(s);
        int[] m = MarkedString.marks(s);
        int base = text.length();
        text.append(t);
        for (int i = 0; i < m.length; i += 2) mark(base + m[i], base + m[i + 1]);
    }

    private void mark(int start, int end) {
        if (n > 0 && marks[n - 1] == start) {
            marks[n - 1] = end;
            return;
        }
        if (n + 2 > marks.length) marks = java.util.Arrays.copyOf(marks, marks.length * 2);
        marks[n++] = start;
        marks[n++] = end;
    }

    /** The text so far as a value: a plain String when nothing in it is untrusted. */
    Object value() {
        return n == 0 ? text.toString() : new MarkedString(text.toString(), java.util.Arrays.copyOf(marks, n));
    }
}
