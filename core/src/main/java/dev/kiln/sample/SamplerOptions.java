package dev.kiln.sample;

/**
 * How the next token is chosen from the logits.
 *
 * @param temperature logits are divided by it before the softmax; 0 means greedy (argmax)
 * @param topK        keep only the K most likely candidates; 0 keeps all
 * @param topP        nucleus: keep the smallest most-likely set whose probability mass is at least P; 1 keeps all
 * @param seed        seed of the random draw: the same seed gives the same tokens
 */
public record SamplerOptions(float temperature, int topK, float topP, long seed) {

    public SamplerOptions {
        if (!(temperature >= 0f) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number ≥ 0 (0 = greedy), got " + temperature);
        }
        if (topK < 0) throw new IllegalArgumentException("top-k must be ≥ 0 (0 = off), got " + topK);
        if (!(topP > 0f && topP <= 1f)) throw new IllegalArgumentException("top-p must be in (0, 1] (1 = off), got " + topP);
    }

    /** Greedy decoding: always the most likely token. */
    public static SamplerOptions greedy() { return new SamplerOptions(0f, 0, 1f, 0L); }

    public boolean isGreedy() { return temperature == 0f || topK == 1; }
}
