package dev.kiln.sample;

/**
 * Repetition, frequency and presence penalties: logit adjustments from the tokens seen so far, applied to the
 * candidates before {@link Sampler} picks one (the engine reads back the GPU's top-K candidates, so a penalty acts
 * among those; greedy with a penalty takes the best candidate after it).
 *
 * <pre>
 *   repetition r (Hugging Face / llama.cpp), for a token in the prompt or the reply:  l = l &gt; 0 ? l / r : l · r
 *   frequency f, presence p (OpenAI), for a token the reply holds c &gt; 0 times:         l = l − c·f − p
 * </pre>
 * The counts are arrays over the vocabulary, made once per request: nothing is allocated per token.
 */
public final class Penalties {
    private final float repetition, frequency, presence;
    private final boolean[] inPrompt; // (vocab)
    private final int[] inReply;      // (vocab) occurrences in the reply so far

    public Penalties(int vocab, float repetition, float frequency, float presence) {
        if (!(repetition > 0f)) throw new IllegalArgumentException("repetition penalty must be > 0, got " + repetition);
        this.repetition = repetition;
        this.frequency = frequency;
        this.presence = presence;
        this.inPrompt = new boolean[vocab];
        this.inReply = new int[vocab];
    }

    /** Marks the prompt's tokens (only the repetition penalty looks at them). */
    public void prompt(int[] ids) {
        for (int id : ids) if (id >= 0 && id < inPrompt.length) inPrompt[id] = true;
    }

    /** Counts a generated token. */
    public void generated(int id) {
        if (id >= 0 && id < inReply.length) inReply[id]++;
    }

    /** Adjusts {@code logits[0..n)} of the candidates {@code ids[0..n)} in place. */
    public void apply(int[] ids, float[] logits, int n) {
        for (int i = 0; i < n; i++) {
            int id = ids[i];
            int c = inReply[id];
            float l = logits[i];
            if (repetition != 1f && (c > 0 || inPrompt[id])) l = l > 0 ? l / repetition : l * repetition;
            if (c > 0) l -= c * frequency + presence;
            logits[i] = l;
        }
    }
}
