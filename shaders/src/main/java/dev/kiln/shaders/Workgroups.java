package dev.kiln.shaders;

/**
 * Dispatch sizes. A dimension holds at most 65535 workgroups (WebGPU's default
 * {@code maxComputeWorkgroupsPerDimension}), so a large 1-D grid (a 200k-row LM head) is spread over y; the kernel
 * recovers its linear index as {@code wid.y * nwg.x + wid.x} and skips indices past the end.
 */
public final class Workgroups {
    private Workgroups() {}

    /** The most workgroups in one dimension. */
    public static final int MAX_PER_DIMENSION = 65535;

    /** {x, y, 1} with x·y ≥ groups, x ≤ 65535, y as small as possible. */
    public static int[] spread(long groups) {
        if (groups < 1) throw new IllegalArgumentException("workgroup count must be at least 1, got " + groups);
        long y = (groups + MAX_PER_DIMENSION - 1) / MAX_PER_DIMENSION;
        if (y > MAX_PER_DIMENSION) throw new IllegalArgumentException(groups + " workgroups exceed 65535²");
        long x = (groups + y - 1) / y;
        return new int[] {(int) x, (int) y, 1};
    }

    /** Workgroups of {@code size} invocations covering {@code n} invocations, spread. */
    public static int[] cover(long n, int size) { return spread(Math.max(1, (n + size - 1) / size)); }

    /** A single workgroup. */
    public static int[] one() { return new int[] {1, 1, 1}; }
}
