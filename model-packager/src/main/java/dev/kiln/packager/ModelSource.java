package dev.kiln.packager;

import dev.kiln.model.ModelConfig;
import dev.kiln.packager.gguf.GgmlType;
import dev.kiln.tokenizer.Vocabulary;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * An opened model input, already mapped to our vocabulary: canonical tensor names ({@link dev.kiln.model.TensorNames}),
 * {@code [rows, cols]} shapes checked against the config, and raw tensor bytes in one of the {@link GgmlType}s
 * Kiln imports, with any layout change (Hugging Face q/k row order, fused projections) already applied. One
 * implementation per input format (GGUF, Hugging Face); {@link Packager} turns any of them into a package.
 */
public interface ModelSource extends Closeable {

    /**
     * One tensor as the packager will write it.
     *
     * @param name  canonical name
     * @param shape {@code [n]} or {@code [rows, cols]}
     * @param type  element type of the bytes {@link #read} returns
     */
    record Tensor(String name, long[] shape, GgmlType type) {
        public long elements() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }

        public long bytes() { return type.byteSize(elements()); }
    }

    /** The model's name for the manifest. */
    String name();

    ModelConfig config();

    Vocabulary vocabulary();

    /** Every tensor, in the order the package will hold them. */
    List<Tensor> tensors();

    /** The raw bytes of one tensor (at most 2 GiB), in {@link Tensor#type()}. */
    byte[] read(Tensor t) throws IOException;
}
