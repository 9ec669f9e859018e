package dev.kiln.e2e;

import dev.kiln.json.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A tiny random-weight chat model in Hugging Face layout, Qwen2-shaped (q/k/v biases, untied head), with a real chat
 * template: a byte-level BPE tokenizer (GPT-2's byte alphabet, a few merges that spell the role names) plus Qwen's
 * special tokens, and tokenizer_config.json carrying the template given (Qwen2.5's, read from ../shared).
 *
 * <p>The head only scores {@link #REPLY_CHARS}: its other rows are zero, so every answer is plain ASCII that tokenizes
 * back to the very ids the model produced (one byte token each, none of them in a merge) and never ends early
 * (the end-of-turn token scores 0 against logits of magnitude ~10). A chat's next prompt then extends the last one
 * token for token, which is what the KV-cache reuse is checked against.
 */
final class ChatModel {
    static final String REPLY_CHARS = "bcdfghjklopqvwxz";
    static final List<String> MERGES = List.of("u s", "us e", "use r", "s y", "sy s", "sys t", "syst e", "syste m",
            "a s", "as s", "ass i", "assi s", "assis t", "assist a", "assista n", "assistan t");
    static final List<String> SPECIALS = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>");
    static final int DIM = 64, LAYERS = 2, HEADS = 4, KV_HEADS = 2, FFN = 128, CONTEXT = 512;
    static final int VOCAB = 256 + MERGES.size() + SPECIALS.size();

    private ChatModel() {}

    /** Writes the checkpoint into {@code dir}. */
    static Path write(Path dir, String chatTemplate, long seed) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architectures", List.of("Qwen2ForCausalLM"));
        c.put("model_type", "qwen2");
        c.put("hidden_size", DIM);
        c.put("intermediate_size", FFN);
        c.put("num_attention_heads", HEADS);
        c.put("num_key_value_heads", KV_HEADS);
        c.put("num_hidden_layers", LAYERS);
        c.put("vocab_size", VOCAB);
        c.put("max_position_embeddings", CONTEXT);
        c.put("rms_norm_eps", 1e-6);
        c.put("rope_theta", 1000000.0);
        c.put("hidden_act", "silu");
        c.put("tie_word_embeddings", false);
        c.put("bos_token_id", id("<|endoftext|>"));
        c.put("eos_token_id", id("<|im_end|>"));
        Files.writeString(dir.resolve("config.json"), Json.writePretty(c));
        Files.writeString(dir.resolve("tokenizer.json"), tokenizer());
        Map<String, Object> tc = new LinkedHashMap<>();
        tc.put("add_bos_token", false);
        tc.put("eos_token", "<|im_end|>");
        tc.put("pad_token", "<|endoftext|>");
        tc.put("chat_template", chatTemplate);
        Files.writeString(dir.resolve("tokenizer_config.json"), Json.writePretty(tc));
        safetensors(dir.resolve("model.safetensors"), weights(new Random(seed)));
        return dir;
    }

    /** The id of a special token (after the 256 bytes and the merges). */
    static int id(String special) { return 256 + MERGES.size() + SPECIALS.indexOf(special); }

    private record Tensor(long[] shape, float[] values) {}

    private static Map<String, Tensor> weights(Random r) {
        Map<String, Tensor> w = new LinkedHashMap<>();
        int hs = DIM / HEADS, kv = KV_HEADS * hs;
        w.put("model.embed_tokens.weight", matrix(r, VOCAB, DIM, 1f));
        for (int l = 0; l < LAYERS; l++) {
            String p = "model.layers." + l + ".";
            w.put(p + "input_layernorm.weight", vector(r, DIM, 1f, 0.2f));
            w.put(p + "self_attn.q_proj.weight", matrix(r, DIM, DIM, 1f));
            w.put(p + "self_attn.q_proj.bias", vector(r, DIM, 0f, 0.5f));
            w.put(p + "self_attn.k_proj.weight", matrix(r, kv, DIM, 1f));
            w.put(p + "self_attn.k_proj.bias", vector(r, kv, 0f, 0.5f));
            w.put(p + "self_attn.v_proj.weight", matrix(r, kv, DIM, 1f));
            w.put(p + "self_attn.v_proj.bias", vector(r, kv, 0f, 0.5f));
            w.put(p + "self_attn.o_proj.weight", matrix(r, DIM, DIM, 1f));
            w.put(p + "post_attention_layernorm.weight", vector(r, DIM, 1f, 0.2f));
            w.put(p + "mlp.gate_proj.weight", matrix(r, FFN, DIM, 1f));
            w.put(p + "mlp.up_proj.weight", matrix(r, FFN, DIM, 1f));
            w.put(p + "mlp.down_proj.weight", matrix(r, DIM, FFN, 1f));
        }
        w.put("model.norm.weight", vector(r, DIM, 1f, 0.2f));
        Tensor head = matrix(r, VOCAB, DIM, 10f);
        for (int t = 0; t < VOCAB; t++) {
            if (t < 256 && REPLY_CHARS.indexOf((char) t) >= 0) continue; // printable ASCII: byte t is token t here
            for (int i = 0; i < DIM; i++) head.values()[t * DIM + i] = 0f;
        }
        w.put("lm_head.weight", head);
        return w;
    }

    /** Gaussian rows scaled by gain/√cols, so activations stay O(1) through the layers. */
    private static Tensor matrix(Random r, int rows, int cols, float gain) {
        float[] v = new float[rows * cols];
        double s = gain / Math.sqrt(cols);
        for (int i = 0; i < v.length; i++) v[i] = (float) (s * r.nextGaussian());
        return new Tensor(new long[] {rows, cols}, v);
    }

    private static Tensor vector(Random r, int n, float mean, float spread) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = mean + spread * (float) r.nextGaussian();
        return new Tensor(new long[] {n}, v);
    }

    /**
     * Byte-level BPE: token b (0..255) is byte b in GPT-2's byte-to-unicode alphabet — printable ASCII maps to itself,
     * so token ids of ASCII text are its bytes — then the merges' tokens, then the special tokens.
     */
    private static String tokenizer() {
        Map<String, Object> vocab = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) vocab.put(String.valueOf(byteChar(b)), b);
        for (String m : MERGES) vocab.put(m.replace(" ", ""), vocab.size());
        List<Object> added = new ArrayList<>();
        for (String s : SPECIALS) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("id", id(s));
            a.put("content", s);
            a.put("special", true);
            added.add(a);
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("vocab", vocab);
        model.put("merges", MERGES);
        Map<String, Object> byteLevel = new LinkedHashMap<>();
        byteLevel.put("type", "ByteLevel");
        byteLevel.put("add_prefix_space", false);
        byteLevel.put("use_regex", true);
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("added_tokens", added);
        t.put("pre_tokenizer", byteLevel);
        t.put("decoder", Map.of("type", "ByteLevel"));
        t.put("model", model);
        return Json.write(t);
    }

    /** GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the others for 256 + n. */
    static char byteChar(int b) {
        if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) return (char) b;
        int n = 0;
        for (int x = 0; x < b; x++) {
            if (!((x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF))) n++;
        }
        return (char) (256 + n);
    }

    /** F32 safetensors: u64 header length, the JSON header padded with spaces to 8 bytes, then the data in order. */
    private static void safetensors(Path file, Map<String, Tensor> tensors) throws IOException {
        Map<String, Object> h = new LinkedHashMap<>();
        long off = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            List<Object> shape = new ArrayList<>();
            for (long d : e.getValue().shape()) shape.add(d);
            long end = off + 4L * e.getValue().values().length;
            h.put(e.getKey(), Map.of("dtype", "F32", "shape", shape, "data_offsets", List.of(off, end)));
            off = end;
        }
        byte[] header = Json.write(h).getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        try (OutputStream o = Files.newOutputStream(file)) {
            for (int i = 0; i < 8; i++) o.write((int) ((long) padded >>> (8 * i)));
            o.write(header);
            for (int i = header.length; i < padded; i++) o.write(' ');
            for (Tensor t : tensors.values()) {
                byte[] b = new byte[4 * t.values().length];
                for (int i = 0; i < t.values().length; i++) {
                    int bits = Float.floatToRawIntBits(t.values()[i]);
                    for (int k = 0; k < 4; k++) b[4 * i + k] = (byte) (bits >>> (8 * k));
                }
                o.write(b);
            }
        }
    }
}
