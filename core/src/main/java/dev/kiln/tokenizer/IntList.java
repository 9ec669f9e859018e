package dev.kiln.tokenizer;

/** A growable int array: token ids without boxing. */
final class IntList {
    private int[] a = new int[16];
    private int n;

    void add(int v) {
        if (n == a.length) {
            int[] grown = new int[2 * n];
            System.arraycopy(a, 0, grown, 0, n);
            a = grown;
        }
        a[n++] = v;
    }

    int[] toArray() {
        int[] out = new int[n];
        System.arraycopy(a, 0, out, 0, n);
        return out;
    }
}
