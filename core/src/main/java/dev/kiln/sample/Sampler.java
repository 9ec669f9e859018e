package dev.kiln.sample;

/**
 * Picks the next token from candidate logits: temperature, then top-k, then top-p (nucleus), then a seeded draw.
 * The candidates are any n (id, logit) pairs, in any order: the whole vocabulary on the CPU, or the top-K the GPU
 * read back. The work arrays grow to the largest n seen and are then reused: nothing is allocated per token.
 *
 * <pre>
 *   p_i  = exp((l_i − l_max) / T) / Σ_j exp((l_j − l_max) / T)     over the candidates, sorted by p descending
 *   keep = the first min(K, n); then the shortest prefix whose Σ p ≥ P (renormalised over the kept top-k set)
 *   draw u ~ U[0, Σ_keep p) and take the first candidate whose running sum exceeds u
 * </pre>
 * Equal logits order by the lower token id, so results do not depend on the order candidates arrive in.
 */
public final class Sampler {
    private final SamplerOptions opts;
    private final Xoshiro128 random;
    private int[] order = new int[0];     // (n) candidate indices, most likely first
    private double[] prob = new double[0]; // (n) probabilities in that order

    public Sampler(SamplerOptions opts) {
        this.opts = opts;
        this.random = new Xoshiro128(opts.seed());
    }

    public SamplerOptions options() { return opts; }

    /**
     * The chosen token id among n candidates.
     *
     * @param ids    (n) token id of each candidate; null when candidate i is token i (a full logits vector)
     * @param logits (n) raw logits of the candidates
     */
    public int sample(int[] ids, float[] logits, int n) {
        if (n <= 0) throw new IllegalArgumentException("sampling needs at least one candidate, got n = " + n);
        if (opts.isGreedy()) return id(ids, bestCandidate(ids, logits, n));
        ensureCapacity(n);
        sortByLogit(ids, logits, n);
        int keep = opts.topK() > 0 ? Math.min(opts.topK(), n) : n;
        double mass = softmax(logits, keep, 1.0 / opts.temperature());
        keep = nucleus(keep, opts.topP() * mass);
        return id(ids, order[draw(keep)]);
    }

    /** Index of the largest of logits[0..n), the lowest index on ties (what greedy decoding takes). */
    public static int argmax(float[] logits, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }

    private static int id(int[] ids, int candidate) { return ids == null ? candidate : ids[candidate]; }

    /** Candidate with the largest logit; the lower token id on ties. */
    private static int bestCandidate(int[] ids, float[] logits, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (before(ids, logits, i, best)) best = i;
        return best;
    }

    /** Does candidate a rank before candidate b: larger logit, then lower token id. */
    private static boolean before(int[] ids, float[] logits, int a, int b) {
        if (logits[a] != logits[b]) return logits[a] > logits[b];
        return id(ids, a) < id(ids, b);
    }

    /** order[0..n) = candidates by rank (heapsort: in place, no allocation, O(n log n)). */
    private void sortByLogit(int[] ids, float[] logits, int n) {
        for (int i = 0; i < n; i++) order[i] = i;
        // a heap with the lowest-ranked candidate on top, so popping to the end leaves the best first
        for (int i = n / 2 - 1; i >= 0; i--) siftDown(ids, logits, i, n);
        for (int end = n - 1; end > 0; end--) {
            int t = order[0]; order[0] = order[end]; order[end] = t;
            siftDown(ids, logits, 0, end);
        }
    }

    private void siftDown(int[] ids, float[] logits, int i, int n) {
        while (true) {
            int c = 2 * i + 1;
            if (c >= n) return;
            if (c + 1 < n && before(ids, logits, order[c], order[c + 1])) c++; // the lower-ranked child
            if (!before(ids, logits, order[i], order[c])) return;
            int t = order[i]; order[i] = order[c]; order[c] = t;
            i = c;
        }
    }

    /** prob[0..keep) = exp((l − l_max)/T), unnormalised; returns their sum. */
    private double softmax(float[] logits, int keep, double invTemperature) {
        double max = logits[order[0]];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            prob[i] = Math.exp((logits[order[i]] - max) * invTemperature);
            sum += prob[i];
        }
        return sum;
    }

    /** Length of the shortest prefix whose mass reaches {@code target} (at least 1). */
    private int nucleus(int keep, double target) {
        double cum = 0;
        for (int i = 0; i < keep; i++) {
            cum += prob[i];
            if (cum >= target) return i + 1;
        }
        return keep;
    }

    /** Position in 0..keep-1 drawn with probability proportional to prob. */
    private int draw(int keep) {
        double total = 0;
        for (int i = 0; i < keep; i++) total += prob[i];
        double u = random.nextDouble() * total;
        double cum = 0;
        for (int i = 0; i < keep; i++) {
            cum += prob[i];
            if (u < cum) return i;
        }
        return keep - 1; // rounding left u just past the last sum
    }

    private void ensureCapacity(int n) {
        if (order.length >= n) return;
        order = new int[n];
        prob = new double[n];
    }
}
