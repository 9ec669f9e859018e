package dev.kiln.packager.gguf;

import dev.kiln.model.ModelConfig;
import dev.kiln.packager.ModelFormatException;
import dev.kiln.packager.ModelSource;
import dev.kiln.tokenizer.Vocabulary;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (llama, qwen2, qwen3: {@link GgufArchitecture}) as a {@link ModelSource}: names through
 * {@link GgufNames}, tensors in file order, bytes as stored (RoPE pairs are the config's rope_style).
 */
public final class GgufSource implements ModelSource {
    private final GgufFile gguf;
    private final ModelConfig config;
    private final Vocabulary vocab;
    private final List<Tensor> tensors = new ArrayList<>();
    private final Map<String, GgufTensor> byName = new HashMap<>();

    private GgufSource(GgufFile gguf) throws IOException {
        this.gguf = gguf;
        this.config = GgufModel.config(gguf);
        this.vocab = GgufModel.vocabulary(gguf, config);
        for (String name : GgufNames.required(config)) {
            if (gguf.tensor(name).isEmpty()) throw bad("tensor '" + name + "' is missing");
        }
        for (GgufTensor t : gguf.tensors()) {
            if (GgufNames.inConfig(t.name())) continue; // read into config.rope_scaling by GgufModel
            GgufNames.Mapped m = GgufNames.map(t.name(), config);
            long[] shape = shape(t);
            if (!Arrays.equals(shape, m.shape())) {
                throw bad("tensor '" + t.name() + "' has shape " + Arrays.toString(shape) + " (ne="
                        + Arrays.toString(t.ne()) + ") but the " + gguf.string("general.architecture") + ".* metadata implies " + Arrays.toString(m.shape()));
            }
            Tensor ours = new Tensor(m.name(), shape, t.type());
            tensors.add(ours);
            byName.put(m.name(), t);
        }
    }

    public static GgufSource open(Path path) throws IOException {
        GgufFile f = GgufFile.open(path);
        try {
            return new GgufSource(f);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    @Override public String name() { return gguf.optString("general.name").orElse(stem(gguf.path())); }

    @Override public ModelConfig config() { return config; }

    @Override public Vocabulary vocabulary() { return vocab; }

    @Override public List<Tensor> tensors() { return tensors; }

    @Override public byte[] read(Tensor t) throws IOException { return gguf.read(byName.get(t.name())); }

    /** GGUF {@code ne} (contiguous first) to our {@code [n]} or {@code [rows, cols]}; extra dims must be 1. */
    private long[] shape(GgufTensor t) {
        long[] ne = t.ne();
        for (int d = 2; d < ne.length; d++) {
            if (ne[d] != 1) throw bad("tensor '" + t.name() + "' has ne=" + Arrays.toString(ne) + "; Kiln packs vectors and matrices only");
        }
        if (ne.length == 1) return new long[] {ne[0]};
        return new long[] {ne[1], ne[0]};
    }

    private ModelFormatException bad(String problem) {
        return new ModelFormatException(gguf.path().getFileName() + ": " + problem);
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".gguf") ? n.substring(0, n.length() - 5) : n;
    }

    @Override public void close() throws IOException { gguf.close(); }
}
