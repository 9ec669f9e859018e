package dev.kiln.sample;

/**
 * xoshiro128** (Blackman and Vigna, 2018): a small, fast PRNG on 32-bit ints only, so the JVM and both TeaVM
 * targets (where {@code long} is slow in JavaScript) produce the same sequence from the same seed.
 * The four state words are filled from the 64-bit seed with SplitMix32-style mixing (never all zero).
 */
final class Xoshiro128 {
    private int s0, s1, s2, s3;

    Xoshiro128(long seed) {
        int x = (int) seed ^ mix32((int) (seed >>> 32) + 0x6A09E667);
        s0 = mix32(x += 0x9E3779B9);
        s1 = mix32(x += 0x9E3779B9);
        s2 = mix32(x += 0x9E3779B9);
        s3 = mix32(x + 0x9E3779B9);
        if ((s0 | s1 | s2 | s3) == 0) s0 = 1;
    }

    /** A given state (tests check the published reference outputs). */
    Xoshiro128(int s0, int s1, int s2, int s3) {
        this.s0 = s0;
        this.s1 = s1;
        this.s2 = s2;
        this.s3 = s3;
    }

    /** murmur3's 32-bit finaliser: every input bit affects every output bit. */
    static int mix32(int z) {
        z = (z ^ (z >>> 16)) * 0x85EBCA6B;
        z = (z ^ (z >>> 13)) * 0xC2B2AE35;
        return z ^ (z >>> 16);
    }

    int nextInt() {
        int result = Integer.rotateLeft(s1 * 5, 7) * 9;
        int t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Integer.rotateLeft(s3, 11);
        return result;
    }

    /** Uniform in [0, 1) with 53 random bits (two draws; exact in double on every target). */
    double nextDouble() {
        int hi = nextInt() >>> 6; // 26 bits
        int lo = nextInt() >>> 5; // 27 bits
        return (hi * 134217728.0 + lo) * (1.0 / 9007199254740992.0);
    }
}
