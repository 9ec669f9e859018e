package dev.kiln.recipe;

import java.util.List;

/**
 * One step of the forward pass: which {@link Op} it performs, on which activations, with which weights.
 *
 * @param step       the name shared by the CPU reference and the GPU plan
 * @param layer      the block it belongs to; -1 outside the blocks (EMBED, FINAL_NORM, LOGITS)
 * @param op         the math
 * @param in         activations read, in the op's order
 * @param out        activations written, in the op's order
 * @param result     what a step-by-step comparison looks at: these activations side by side (a subset of out)
 * @param weights    tensors read, in the op's order
 * @param accumulate the op adds its result onto {@code out} (a residual add) instead of overwriting it
 */
public record Stage(Step step, int layer, Op op, List<Act> in, List<Act> out, List<Act> result, List<Weight> weights,
                   boolean accumulate) {

    public Stage {
        in = List.copyOf(in);
        out = List.copyOf(out);
        result = List.copyOf(result);
        weights = List.copyOf(weights);
        if (!out.containsAll(result)) throw new IllegalArgumentException(step + ": result " + result + " is not among out " + out);
    }

    /** The stage's name in labels, errors and traces: {@code Q/L3}, {@code EMBED}. */
    public String label() { return layer < 0 ? step.name() : step.name() + "/L" + layer; }

    /** Elements of {@link #result()} together. */
    public int resultWidth(dev.kiln.model.ModelConfig c) {
        int n = 0;
        for (Act a : result) n += a.width(c);
        return n;
    }
}
