package dev.kiln.sample;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Xoshiro128Test {

    /** Published reference: xoshiro128** from state {1, 2, 3, 4} starts 11520, 0, 5927040 (Vigna's xoshiro128starstar.c). */
    @Test
    void matchesTheReferenceAlgorithm() {
        Xoshiro128 r = new Xoshiro128(1, 2, 3, 4);
        assertEquals(11520, r.nextInt());
        assertEquals(0, r.nextInt());
        assertEquals(5927040, r.nextInt());
    }

    /**
     * The seeding is pinned, so a seed means the same tokens on every runtime and release. Values from an
     * independent Python transcription of the seeding and the generator (32-bit masks).
     */
    @Test
    void seedingIsPinned() {
        Xoshiro128 r = new Xoshiro128(42);
        assertEquals(-2055314402, r.nextInt());
        assertEquals(1968907866, r.nextInt());
        assertEquals(1432790869, r.nextInt());
        Xoshiro128 z = new Xoshiro128(0);
        assertEquals(1311701456, z.nextInt());
        Xoshiro128 m = new Xoshiro128(-1);
        assertEquals(-1303626355, m.nextInt());
    }

    @Test
    void doublesAreUniformInTheUnitInterval() {
        Xoshiro128 r = new Xoshiro128(7);
        int[] bins = new int[10];
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            double d = r.nextDouble();
            assertTrue(d >= 0 && d < 1);
            bins[(int) (d * 10)]++;
        }
        for (int b : bins) assertEquals(0.1, b / (double) n, 0.006); // ~6 sigma for a bin of 10 %
    }
}
