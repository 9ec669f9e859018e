package dev.kiln.packager.gguf;

import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeScaling;
import dev.kiln.packager.ModelFormatException;
import dev.kiln.tokenizer.Tokenizer;
import dev.kiln.tokenizer.Vocabulary;

import java.io.IOException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the model description of a GGUF file: hyper-parameters from {@code {arch}.*} ({@link GgufArchitecture} spells
 * the keys) and the tokenizer from {@code tokenizer.ggml.*}, with llama.cpp's defaults where a key is optional.
 */
public final class GgufModel {
    private GgufModel() {}

    /**
     * Hyper-parameters and flags. RoPE pairs follow the architecture ({@link GgufArchitecture#ropeStyle}), so the
     * tensors are copied as stored. RoPE scaling: {@code {arch}.rope.scaling.type} linear, and llama.cpp's
     * {@code rope_freqs.weight} (Llama 3.x: per-frequency divisors) as {@link RopeScaling#factors}.
     */
    public static ModelConfig config(GgufFile f) throws IOException {
        GgufArchitecture a = GgufArchitecture.of(f);
        String name = f.path().getFileName().toString();
        int experts = f.optInteger(a.key("expert_count")).orElse(0);
        if (experts > 0) {
            throw new ModelFormatException(name + ": " + a.key("expert_count") + " is " + experts
                    + ": a mixture of experts, which the engine does not run");
        }
        int dim = f.integer(a.key("embedding_length"));
        int layers = f.integer(a.key("block_count"));
        int heads = f.integer(a.key("attention.head_count"));
        int kvHeads = f.optInteger(a.key("attention.head_count_kv")).orElse(heads);
        int ffn = f.integer(a.key("feed_forward_length"));
        int headSize = f.optInteger(a.key("attention.key_length")).orElse(heads > 0 ? dim / heads : 0);
        int valueSize = f.optInteger(a.key("attention.value_length")).orElse(headSize);
        if (valueSize != headSize) {
            throw new ModelFormatException(name + ": " + a.key("attention.value_length") + " is " + valueSize + " but "
                    + a.key("attention.key_length") + " is " + headSize + ": the engine needs equal key and value head sizes");
        }
        int ropeDims = f.optInteger(a.key("rope.dimension_count")).orElse(headSize);
        if (ropeDims != headSize) {
            throw new ModelFormatException(name + ": " + a.key("rope.dimension_count") + " is " + ropeDims
                    + " but the head size is " + headSize + ": partial rotary embeddings are not supported");
        }
        if (f.optInteger(a.key("attention.sliding_window")).orElse(0) > 0) {
            throw new ModelFormatException(name + ": " + a.key("attention.sliding_window") + " is set: sliding-window"
                    + " attention is not supported (the engine attends over the whole context)");
        }
        float eps = (float) f.number(a.key("attention.layer_norm_rms_epsilon"));
        float ropeBase = (float) (double) f.optNumber(a.key("rope.freq_base")).orElse(10000.0);
        int context = f.integer(a.key("context_length"));
        GgufTensor embd = f.tensor(GgufNames.TOKEN_EMBD).orElseThrow(() -> new ModelFormatException(
                name + ": tensor '" + GgufNames.TOKEN_EMBD + "' is missing"));
        long vocab = embd.ne().length >= 2 ? embd.ne()[1] : 0;
        if (vocab <= 0 || vocab > Integer.MAX_VALUE) {
            throw new ModelFormatException(name + ": tensor '" + GgufNames.TOKEN_EMBD
                    + "' has ne=" + Arrays.toString(embd.ne()) + ", expected [dim, vocab]");
        }
        boolean tied = f.tensor(GgufNames.OUTPUT).isEmpty();
        try {
            ModelConfig c = new ModelConfig("llama", dim, layers, heads, kvHeads, headSize, ffn, (int) vocab, eps, ropeBase,
                    a.ropeStyle(), context, tokenId(f, "bos", (int) vocab), tokenId(f, "eos", (int) vocab), tied);
            return c.withFlags(a.qkvBias(), a.qkNorm(), ropeScaling(f, a, headSize));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(name + ": inconsistent " + a.id() + ".* metadata: " + e.getMessage());
        }
    }

    /**
     * {@code {arch}.rope.scaling.type} (none or linear with {@code rope.scaling.factor}) and the {@code rope_freqs.weight}
     * tensor: llama.cpp rotates pair i by pos · θ_i / (factor · ff_i), so both fold into one list of divisors.
     */
    private static RopeScaling ropeScaling(GgufFile f, GgufArchitecture a, int headSize) throws IOException {
        String name = f.path().getFileName().toString();
        String type = f.optString(a.key("rope.scaling.type")).orElse("none");
        float linear = switch (type) {
            case "none" -> 1f;
            case "linear" -> {
                double factor = f.number(a.key("rope.scaling.factor"));
                if (!(factor > 0)) {
                    throw new ModelFormatException(name + ": " + a.key("rope.scaling.factor") + " is " + factor + ", expected a positive factor");
                }
                yield (float) factor;
            }
            default -> throw new ModelFormatException(name + ": " + a.key("rope.scaling.type") + " '" + type
                    + "' is not supported (Kiln runs none, linear, and Llama 3's rope_freqs factors)");
        };
        Optional<GgufTensor> freqs = f.tensor(GgufNames.ROPE_FREQS);
        if (freqs.isEmpty()) return linear == 1f ? RopeScaling.NONE : RopeScaling.linear(linear);
        GgufTensor t = freqs.get();
        if (t.ne()[0] != headSize / 2 || t.elements() != headSize / 2
                || !(t.type() == GgmlType.F32 || t.type() == GgmlType.F16 || t.type() == GgmlType.BF16)) {
            throw new ModelFormatException(name + ": tensor '" + GgufNames.ROPE_FREQS + "' has ne=" + Arrays.toString(t.ne())
                    + " of type " + t.type() + ", expected [" + headSize / 2 + "] (head_size/2) floats");
        }
        List<Float> factors = new ArrayList<>();
        for (float v : f.readFloats(t)) {
            if (!(v > 0) || Float.isInfinite(v)) {
                throw new ModelFormatException(name + ": tensor '" + GgufNames.ROPE_FREQS + "' holds " + v
                        + ", expected positive finite frequency factors");
            }
            factors.add(v * linear);
        }
        return RopeScaling.factors(factors);
    }

    /** The tokenizer: "llama" (SentencePiece) becomes "spm", "gpt2" (byte-level BPE) becomes "bpe". */
    public static Vocabulary vocabulary(GgufFile f, ModelConfig c) {
        String k = "tokenizer.ggml.";
        String ggml = f.string(k + "model");
        String model = switch (ggml) {
            case "llama" -> "spm";
            case "gpt2" -> "bpe";
            default -> throw new ModelFormatException(f.path().getFileName() + ": tokenizer.ggml.model '" + ggml
                    + "' is not supported, expected 'llama' (SentencePiece) or 'gpt2' (byte-level BPE)");
        };
        List<String> tokens = f.strings(k + "tokens");
        if (tokens.size() != c.vocab()) {
            throw new ModelFormatException(f.path().getFileName() + ": tokenizer.ggml.tokens has " + tokens.size()
                    + " tokens but token_embd has " + c.vocab() + " rows");
        }
        float[] scores = f.has(k + "scores") ? f.floats(k + "scores") : new float[0];
        int[] types = new int[tokens.size()];
        if (f.has(k + "token_type")) types = f.ints(k + "token_type");
        else Arrays.fill(types, Vocabulary.NORMAL);
        List<String> merges = f.has(k + "merges") ? f.strings(k + "merges") : List.of();
        boolean spm = model.equals("spm");
        boolean addBos = f.optBool(k + "add_bos_token").orElse(spm);
        boolean addSpace = f.optBool(k + "add_space_prefix").orElse(spm);
        // Byte-level BPE splits text by the pre-tokenizer llama.cpp names in tokenizer.ggml.pre ("default" = GPT-2's).
        String pre = spm ? "" : f.optString(k + "pre").orElse("default");
        if (pre.equals("default")) pre = "gpt-2";
        boolean llama3 = pre.equals("llama-bpe") || pre.equals("llama3");
        String normalizer = pre.equals("qwen2") || pre.equals("deepseek-r1-qwen") ? Vocabulary.NFC : "";
        try {
            Vocabulary v = new Vocabulary(model, tokens, scores, types, merges, c.bos(), c.eos(),
                    tokenId(f, "unknown", c.vocab()), addBos, addSpace, pre.isEmpty() ? List.of() : List.of(pre),
                    normalizer, llama3);
            // Build it once now so an unknown pre-tokenizer fails at packaging, not in the user's browser.
            Tokenizer.of(v, s -> Normalizer.normalize(s, Normalizer.Form.NFC));
            return withEog(f, withChat(f, v));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(f.path().getFileName() + ": tokenizer.ggml.*: " + e.getMessage());
        }
    }

    /**
     * {@code tokenizer.chat_template} (Jinja source) and, with it, the texts of the special tokens a template names
     * ({@code bos_token} … from {@code tokenizer.ggml.{bos,eos,unknown,padding}_token_id}; GGUF stores ids only).
     * Without a template nothing is added, so the tokenizer file keeps its bytes.
     */
    private static Vocabulary withChat(GgufFile f, Vocabulary v) {
        Optional<String> template = f.optString("tokenizer.chat_template");
        if (template.isEmpty() || template.get().isEmpty()) return v;
        Map<String, String> special = new LinkedHashMap<>();
        for (String[] role : new String[][] {{"bos", "bos_token"}, {"eos", "eos_token"}, {"unknown", "unk_token"},
                {"padding", "pad_token"}}) {
            int id = tokenId(f, role[0], v.size());
            if (id >= 0) special.put(role[1], v.tokens().get(id));
        }
        return v.withChat(template.get(), special);
    }

    /**
     * llama.cpp's end-of-turn and end-of-message ids ({@code tokenizer.ggml.eot_token_id}, {@code eom_token_id}) as
     * end-of-generation ids besides EOS; the vocabulary unchanged when there are none beyond EOS.
     */
    private static Vocabulary withEog(GgufFile f, Vocabulary v) {
        java.util.LinkedHashSet<Integer> ids = new java.util.LinkedHashSet<>();
        for (String role : new String[] {"eos", "eot", "eom"}) {
            int id = tokenId(f, role, v.size());
            if (id >= 0) ids.add(id);
        }
        int[] eog = ids.stream().mapToInt(Integer::intValue).toArray();
        return eog.length == 0 || java.util.Arrays.equals(eog, v.endOfGeneration()) ? v : v.withEog(eog);
    }

    /** {@code tokenizer.ggml.<role>_token_id}, -1 when absent or 0xFFFFFFFF (llama.cpp's "none"). */
    private static int tokenId(GgufFile f, String role, int vocab) {
        String key = "tokenizer.ggml." + role + "_token_id";
        long id = f.optLong(key).orElse(-1L);
        if (id == -1 || id == 0xFFFFFFFFL) return -1;
        if (id < 0 || id >= vocab) {
            throw new ModelFormatException(f.path().getFileName() + ": " + key + " is " + id
                    + ", outside the vocabulary of " + vocab + " tokens");
        }
        return (int) id;
    }
}
