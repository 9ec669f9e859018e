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
 * with the shape each must have, as {@code [rows, cols]} (GGUF writes {@code ne = [cols, rows]}). The same names
 * serve llama, qwen2 (plus {@code attn_{q,k,v}.bias}) and qwen3 (plus {@code attn_{q,k}_norm.weight}); a tensor the
 * config absorbs ({@link #ROPE_FREQS}) is not packaged as a tensor.
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

    /** Tensors only some architectures have: present exactly when the config's flag says so. */
    private record Optional(Entry entry, java.util.function.Predicate<ModelConfig> when) {}

    private static final List<Optional> OPTIONAL = List.of(
            new Optional(new Entry("attn_q.bias", TensorNames::attnQBias, c -> v(c.qDim())), ModelConfig::qkvBias),
            new Optional(new Entry("attn_k.bias", TensorNames::attnKBias, c -> v(c.kvDim())), ModelConfig::qkvBias),
            new Optional(new Entry("attn_v.bias", TensorNames::attnVBias, c -> v(c.kvDim())), ModelConfig::qkvBias),
            new Optional(new Entry("attn_q_norm.weight", TensorNames::attnQNorm, c -> v(c.headSize())), ModelConfig::qkNorm),
            new Optional(new Entry("attn_k_norm.weight", TensorNames::attnKNorm, c -> v(c.headSize())), ModelConfig::qkNorm));

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
                for (Optional o : OPTIONAL) {
                    if (o.entry.gguf.equals(role) && layer >= 0 && layer < c.layers() && o.when.test(c)) {
                        return new Mapped(o.entry.ours.apply(layer), o.entry.shape.apply(c));
                    }
                }
            }
        }
        String feature = unsupported(gguf);
        if (feature != null) throw new ModelFormatException("tensor '" + gguf + "' needs " + feature + ", which the engine does not run");
        throw new ModelFormatException("tensor '" + gguf + "' is not a llama tensor Kiln knows (expected token_embd, "
                + "output_norm, output and blk.<0.." + (c.layers() - 1) + ">.{attn_norm, attn_q, attn_k, attn_v, "
                + "attn_output, ffn_norm, ffn_gate, ffn_up, ffn_down}.weight"
                + (c.qkvBias() ? ", attn_{q,k,v}.bias" : "") + (c.qkNorm() ? ", attn_{q,k}_norm.weight" : "") + ")");
    }

    /** Tensors the config absorbs instead of the package: llama.cpp's RoPE frequency factors (Llama 3.x). */
    public static boolean inConfig(String gguf) { return gguf.equals(ROPE_FREQS); }

    /** Names of tensors from architectures or options Kiln does not run, with the feature they need. */
    private static String unsupported(String gguf) {
        String role = gguf.startsWith("blk.") && gguf.indexOf('.', 4) > 0 ? gguf.substring(gguf.indexOf('.', 4) + 1) : gguf;
        if (role.matches("attn_[qkv]\\.bias")) return "q/k/v attention biases, which only general.architecture qwen2 has here";
        if (role.matches("attn_[qk]_norm\\.weight")) return "per-head q/k RMSNorm, which only general.architecture qwen3 has here";
        if (role.equals("attn_output.bias")) return "an attention output bias";
        if (role.matches("ffn_\\w+\\.bias")) return "FFN biases";
        if (role.startsWith("ffn_gate_inp") || role.matches("ffn_\\w+_(exps|shexp)\\..*")) return "a mixture of experts";
        if (role.startsWith("rope_factors_")) return "long-context RoPE factors (Phi-3 longrope)";
        return null;
    }

    /** The GGUF names a llama model of this config must have (all but {@code output.weight}, which may be tied). */
    public static List<String> required(ModelConfig c) {
        List<String> out = new ArrayList<>();
        out.add("token_embd.weight");
        out.add("output_norm.weight");
        for (int l = 0; l < c.layers(); l++) {
            for (Entry e : BLOCK) out.add("blk." + l + "." + e.gguf);
            for (Optional o : OPTIONAL) if (o.when.test(c)) out.add("blk." + l + "." + o.entry.gguf);
        }
        return out;
    }

    /** The shape of one of our tensors (canonical name) under this config, or an error naming it. */
    public static long[] shapeOf(String ours, ModelConfig c) {
        for (Entry e : GLOBAL) if (e.ours.apply(-1).equals(ours)) return e.shape.apply(c);
        for (int l = 0; l < c.layers(); l++) {
            if (!ours.startsWith("blk." + l + ".")) continue;
            for (Entry e : BLOCK) if (e.ours.apply(l).equals(ours)) return e.shape.apply(c);
            for (Optional o : OPTIONAL) if (o.entry.ours.apply(l).equals(ours) && o.when.test(c)) return o.entry.shape.apply(c);
        }
        throw new ModelFormatException("tensor '" + ours + "' is not part of this model's configuration");
    }

    /** Our canonical name → the GGUF name ({@code blk.0.attn_q_bias} → {@code blk.0.attn_q.bias}). */
    public static String ggufName(String ours) {
        return ours.endsWith("_bias") ? ours.substring(0, ours.length() - "_bias".length()) + ".bias" : ours + ".weight";
    }

    public static final String OUTPUT = "output.weight";
    /** llama.cpp's per-frequency RoPE divisors, ne = [head_size/2]: read into the config's rope_scaling. */
    public static final String ROPE_FREQS = "rope_freqs.weight";
    public static final String TOKEN_EMBD = "token_embd.weight";

    private static int parseLayer(String s) {
        if (s.isEmpty() || s.length() > 6) return -1;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return -1;
        return Integer.parseInt(s);
    }
}
