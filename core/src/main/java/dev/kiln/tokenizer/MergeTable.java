package dev.kiln.tokenizer;

/**
 * BPE merge rules keyed by token-id pairs: (left, right) → rank and merged id, in an open-addressing hash table over
 * int arrays (no boxing, no {@code long} keys: both are slow in TeaVM's JavaScript output).
 */
final class MergeTable {
    private final int mask;
    private final int[] left, right, rank, merged; // (capacity) slot contents; left = -1 marks an empty slot

    MergeTable(int merges) {
        int capacity = 16;
        while (capacity < 2 * merges) capacity <<= 1;
        mask = capacity - 1;
        left = new int[capacity];
        right = new int[capacity];
        rank = new int[capacity];
        merged = new int[capacity];
        java.util.Arrays.fill(left, -1);
    }

    private static int hash(int a, int b) {
        int h = a * 0x9E3779B1 ^ b * 0x85EBCA6B;
        return h ^ h >>> 15;
    }

    /** Adds a rule unless the pair already has one (the first, lowest rank wins, as in Hugging Face). */
    void put(int a, int b, int r, int id) {
        int s = hash(a, b) & mask;
        while (left[s] >= 0) {
            if (left[s] == a && right[s] == b) return;
            s = s + 1 & mask;
        }
        left[s] = a;
        right[s] = b;
        rank[s] = r;
        merged[s] = id;
    }

    /** The slot of pair (a, b), or -1 when no rule merges it. */
    int find(int a, int b) {
        int s = hash(a, b) & mask;
        while (left[s] >= 0) {
            if (left[s] == a && right[s] == b) return s;
            s = s + 1 & mask;
        }
        return -1;
    }

    int rank(int slot) { return rank[slot]; }

    int merged(int slot) { return merged[slot]; }
}
