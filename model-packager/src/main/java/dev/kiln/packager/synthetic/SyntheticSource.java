package dev.kiln.packager.synthetic;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import dev.kiln.model.ModelConfig;
import dev.kiln.packager.ModelSource;
import dev.kiln.packager.gguf.GgmlType;
import dev.kiln.recipe.Recipe;
import dev.kiln.recipe.Weight;
import dev.kiln.tokenizer.Vocabulary;

/**
 * A {@link SyntheticShape} as a model input: every tensor the forward recipe reads, with random f32 values made on
 * {@link #read} (seeded by the tensor's name, so a package is the same every time), and a byte-fallback vocabulary of
 * the shape's size. Matrices are uniform with the variance of 1/cols, so activations stay O(1) through the layers;
 * norm weights are 1 ± 0.2, biases ± 0.5. Nothing is held between reads: memory is one tensor.
 */
public final class SyntheticSource implements ModelSource {
    private final SyntheticShape shape;
    private final long seed;
    private final List<Tensor> tensors = new ArrayList<>();

    public SyntheticSource(SyntheticShape shape, long seed) {
        this.shape = shape;
        this.seed = seed;
        for (Weight w : Recipe.of(shape.config(), false).weights()) {
            long[] dims = w.rows() == 1 ? new long[] {w.cols()} : new long[] {w.rows(), w.cols()};
            tensors.add(new Tensor(w.tensor(), dims, GgmlType.F32));
        }
    }

    @Override public String name() { return "synthetic-" + shape.name(); }

    @Override public ModelConfig config() { return shape.config(); }

    /**
     * ChatML, the template of the Qwen2.5 family without its tool branch, so a synthetic model can chat
     * ({@code kiln bench --chat-turns}); its turn markers are control tokens 259 and 260.
     */
    static final String CHATML = "{%- for message in messages %}{{- '<|im_start|>' + message.role + '\\n' + message.content"
            + " + '<|im_end|>\\n' }}{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

    @Override public Vocabulary vocabulary() {
        int n = shape.config().vocab();
        List<String> tokens = new ArrayList<>(n);
        int[] types = new int[n];
        for (int i = 0; i < n; i++) {
            tokens.add(i == 0 ? "<unk>" : i == 1 ? "<s>" : i == 2 ? "</s>" : i < 259 ? String.format("<0x%02X>", i - 3)
                    : i == 259 ? "<|im_start|>" : i == 260 ? "<|im_end|>" : "\u2581t" + i);
            types[i] = i == 0 ? Vocabulary.UNKNOWN : i < 3 || i == 259 || i == 260 ? Vocabulary.CONTROL
                    : i < 259 ? Vocabulary.BYTE : Vocabulary.NORMAL;
        }
        return new Vocabulary("spm", tokens, new float[n], types, Collections.emptyList(), 1, 2, 0, false, true)
                .withChat(CHATML, java.util.Map.of("eos_token", "<|im_end|>"))
                .withEog(new int[] {260});
    }

    @Override public List<Tensor> tensors() { return tensors; }

    @Override public byte[] read(Tensor t) {
        SplittableRandom r = new SplittableRandom(seed * 31 + t.name().hashCode());
        int n = Math.toIntExact(t.elements());
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        if (t.shape().length == 2) {
            double a = Math.sqrt(3.0 / t.shape()[1]); // uniform(−a, a) has variance 1/cols
            for (int i = 0; i < n; i++) b.putFloat((float) (a * (2 * r.nextDouble() - 1)));
        } else {
            boolean bias = t.name().endsWith("_bias");
            for (int i = 0; i < n; i++) b.putFloat((float) ((bias ? 0 : 1) + (bias ? 0.5 : 0.2) * (2 * r.nextDouble() - 1)));
        }
        return b.array();
    }

    @Override public void close() {}
}
