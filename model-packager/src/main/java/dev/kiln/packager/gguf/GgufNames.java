package dev.kiln.packager.gguf;

import dev.kiln.model.ModelConfig;
import dev.kiln.model.TensorNames;
import dev.kiln.packager.ModelFormatException;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The one table from GGUF llama tensor names to ours ({@link TensorNames}: GGUF's names without {@code .weight}),
 * with the shape each must have, as {@code [rows, cols]} (GGUF writes {@code ne = [cols, rows]}).
 */
public final class GgufNames {
    private GgufNames() {}

    private record Entry(String gguf, IntFunction<String> ours, Function<ModelConfig, long[]> shape) {}

    //                                GGUF name              ours                         [rows, cols]
    private static final List<Entry> GLOBAL = List.of(
            new Entry("token_embd.weight", l -> TensorNames.TOKEN_EMBD, c -> m(c.vocab(), c.dim())),
            new Entry("output_norm.weight", l -> TensorNames.OUTPUT_NORM, c -> v(c.dim())),
            new Entry("output.weight", l -> TensorNames.OUTPUT, c -> m(c.vocab(), c.dim())));

    private static final List<Entry> BLOCK = List.of(
            new Entry("attn_norm.weight", TensorNames::attnNorm, c -> v(c.dim())),
            new Entry("attn_q.weight", TensorNames::attnQ, c -> m(c.qDim(), c.dim())),
            new Entry("attn_k.weight", TensorNames::attnK, c -> m(c.kvDim(), c.dim())),
            new Entry("attn_v.weight", TensorNames::attnV, c -> m(c.kvDim(), c.dim())),
            new Entry("attn_output.weight", TensorNames::attnOutput, c -> m(c.dim(), c.qDim())),
            new Entry("ffn_norm.weight", TensorNames::ffnNorm, c -> v(c.dim())),
            new Entry("ffn_gate.weight", TensorNames::ffnGate, c -> m(c.ffn(), c.dim())),
            new Entry("ffn_up.weight", TensorNames::ffnUp, c -> m(c.ffn(), c.dim())),
            new Entry("ffn_down.weight", TensorNames::ffnDown, c -> m(c.dim(), c.ffn())));

    private static long[] m(long rows, long cols) { return new long[] {rows, cols}; }

    private static long[] v(long n) { return new long[] {n}; }

    /** A GGUF tensor mapped to ours: canonical name and the shape the config demands. */
    public record Mapped(String name, long[] shape) {}

    /** Maps a GGUF tensor name, or fails naming it when it is not a llama tensor Kiln knows. */
    public static Mapped map(String gguf, ModelConfig c) {
        for (Entry e : GLOBAL) if (e.gguf.equals(gguf)) return new Mapped(e.ours.apply(-1), e.shape.apply(c));
        if (gguf.startsWith("blk.")) {
            int dot = gguf.indexOf('.', 4);
            if (dot > 4) {
                int layer = parseLayer(gguf.substring(4, dot));
                String role = gguf.substring(dot + 1);
                for (Entry e : BLOCK) {
                    if (e.gguf.equals(role) && layer >= 0 && layer < c.layers()) {
                        return new Mapped(e.ours.apply(layer), e.shape.apply(c));
                    }
                }
            }
        }
        throw new ModelFormatException("tensor '" + gguf + "' is not a llama tensor Kiln knows (expected token_embd, "
                + "output_norm, output and blk.<0.." + (c.layers() - 1) + ">.{attn_norm, attn_q, attn_k, attn_v, "
                + "attn_output, ffn_norm, ffn_gate, ffn_up, ffn_down}.weight)");
    }

    /** The GGUF names a llama model of this config must have (all but {@code output.weight}, which may be tied). */
    public static List<String> required(ModelConfig c) {
        List<String> out = new ArrayList<>();
        out.add("token_embd.weight");
        out.add("output_norm.weight");
        for (int l = 0; l < c.layers(); l++) for (Entry e : BLOCK) out.add("blk." + l + "." + e.gguf);
        return out;
    }

    public static final String OUTPUT = "output.weight";
    public static final String TOKEN_EMBD = "token_embd.weight";

    private static int parseLayer(String s) {
        if (s.isEmpty() || s.length() > 6) return -1;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return -1;
        return Integer.parseInt(s);
    }
}
