package dev.kiln.packager.gguf;

import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeStyle;
import dev.kiln.packager.ModelFormatException;
import dev.kiln.tokenizer.Tokenizer;
import dev.kiln.tokenizer.Vocabulary;

import java.text.Normalizer;

import java.util.Arrays;
import java.util.List;

/**
 * Reads the model description of a GGUF llama file: hyper-parameters from {@code llama.*} and the tokenizer from
 * {@code tokenizer.ggml.*}, with llama.cpp's defaults where a key is optional.
 */
public final class GgufModel {
    private GgufModel() {}

    /** Hyper-parameters; RoPE is INTERLEAVED because GGUF llama weights are stored for llama.cpp's pairing. */
    public static ModelConfig config(GgufFile f) {
        String arch = f.string("general.architecture");
        if (!arch.equals("llama")) {
            throw new ModelFormatException(f.path().getFileName() + ": general.architecture is '" + arch
                    + "', Kiln runs 'llama' models only");
        }
        String p = arch + ".";
        int dim = f.integer(p + "embedding_length");
        int layers = f.integer(p + "block_count");
        int heads = f.integer(p + "attention.head_count");
        int kvHeads = f.optInteger(p + "attention.head_count_kv").orElse(heads);
        int ffn = f.integer(p + "feed_forward_length");
        int headSize = f.optInteger(p + "attention.key_length").orElse(heads > 0 ? dim / heads : 0);
        int ropeDims = f.optInteger(p + "rope.dimension_count").orElse(headSize);
        if (ropeDims != headSize) {
            throw new ModelFormatException(f.path().getFileName() + ": " + p + "rope.dimension_count is " + ropeDims
                    + " but the head size is " + headSize + ": partial rotary embeddings are not supported");
        }
        float eps = (float) f.number(p + "attention.layer_norm_rms_epsilon");
        float ropeBase = (float) (double) f.optNumber(p + "rope.freq_base").orElse(10000.0);
        int context = f.integer(p + "context_length");
        GgufTensor embd = f.tensor(GgufNames.TOKEN_EMBD).orElseThrow(() -> new ModelFormatException(
                f.path().getFileName() + ": tensor '" + GgufNames.TOKEN_EMBD + "' is missing"));
        long vocab = embd.ne().length >= 2 ? embd.ne()[1] : 0;
        if (vocab <= 0 || vocab > Integer.MAX_VALUE) {
            throw new ModelFormatException(f.path().getFileName() + ": tensor '" + GgufNames.TOKEN_EMBD
                    + "' has ne=" + Arrays.toString(embd.ne()) + ", expected [dim, vocab]");
        }
        boolean tied = f.tensor(GgufNames.OUTPUT).isEmpty();
        try {
            return new ModelConfig(arch, dim, layers, heads, kvHeads, headSize, ffn, (int) vocab, eps, ropeBase,
                    RopeStyle.INTERLEAVED, context, tokenId(f, "bos", (int) vocab), tokenId(f, "eos", (int) vocab), tied);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(f.path().getFileName() + ": inconsistent llama.* metadata: " + e.getMessage());
        }
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
            return v;
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(f.path().getFileName() + ": tokenizer.ggml.*: " + e.getMessage());
        }
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
