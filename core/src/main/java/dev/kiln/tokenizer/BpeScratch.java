package dev.kiln.tokenizer;

/**
 * Working arrays for one {@link ByteLevelBpe#encode} call, grown as needed and reused for every pre-token: the
 * piece's UTF-8 bytes, its symbols as a linked list, and a binary min-heap of merge candidates ordered by
 * (rank, left position). Per call, not per tokenizer, so a tokenizer may be shared between threads on the JVM.
 */
final class BpeScratch {
    byte[] bytes = new byte[64];     // (piece bytes)
    int[] sym = new int[16];         // (symbols) token id; -2 once merged into its left neighbour
    int[] prev = new int[16];        // (symbols) previous live symbol, -1 at the start
    int[] next = new int[16];        // (symbols) next live symbol, -1 at the end

    // heap entries: a pair (left, right) with token ids (a, b) when queued and its merge-table slot
    private int[] rank = new int[32], left = new int[32], right = new int[32], a = new int[32], b = new int[32], slot = new int[32];
    int heapSize;
    int polledLeft, polledRight, polledA, polledB;

    /** Writes the UTF-8 bytes of {@code s} into {@link #bytes}; returns their count (lone surrogates as U+FFFD). */
    int bytes(String s) {
        if (bytes.length < 4 * s.length()) bytes = new byte[4 * s.length()];
        int p = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            p = Utf8.encode(cp, bytes, p);
            i += Character.charCount(cp);
        }
        return p;
    }

    /** The symbol arrays, at least {@code n} long. */
    int[] symbols(int n) {
        if (sym.length < n) {
            sym = new int[n];
            prev = new int[n];
            next = new int[n];
        }
        return sym;
    }

    void push(int r, int l, int rt, int ia, int ib, int s) {
        if (heapSize == rank.length) grow();
        int i = heapSize++;
        // sift up: parent (i-1)/2 must not be after the new entry
        while (i > 0) {
            int p = (i - 1) >> 1;
            if (!before(r, l, rank[p], left[p])) break;
            move(p, i);
            i = p;
        }
        set(i, r, l, rt, ia, ib, s);
    }

    /** Removes the first entry; returns its merge-table slot and leaves its pair in the polled fields. */
    int pollSlot() {
        int s = slot[0];
        polledLeft = left[0];
        polledRight = right[0];
        polledA = a[0];
        polledB = b[0];
        int last = --heapSize;
        if (last > 0) {
            int r = rank[last], l = left[last], rt = right[last], ia = a[last], ib = b[last], sl = slot[last];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= last) break;
                if (c + 1 < last && before(rank[c + 1], left[c + 1], rank[c], left[c])) c++;
                if (!before(rank[c], left[c], r, l)) break;
                move(c, i);
                i = c;
            }
            set(i, r, l, rt, ia, ib, sl);
        }
        return s;
    }

    private static boolean before(int r1, int l1, int r2, int l2) { return r1 < r2 || r1 == r2 && l1 < l2; }

    private void move(int from, int to) {
        set(to, rank[from], left[from], right[from], a[from], b[from], slot[from]);
    }

    private void set(int i, int r, int l, int rt, int ia, int ib, int s) {
        rank[i] = r;
        left[i] = l;
        right[i] = rt;
        a[i] = ia;
        b[i] = ib;
        slot[i] = s;
    }

    private void grow() {
        int n = 2 * rank.length;
        rank = java.util.Arrays.copyOf(rank, n);
        left = java.util.Arrays.copyOf(left, n);
        right = java.util.Arrays.copyOf(right, n);
        a = java.util.Arrays.copyOf(a, n);
        b = java.util.Arrays.copyOf(b, n);
        slot = java.util.Arrays.copyOf(slot, n);
    }
}
