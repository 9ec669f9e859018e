package dev.kiln.packager.hf;

import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Test-support tool for the packaging benchmark (docs/benchmarks.md): writes a llama checkpoint in Hugging Face
 * layout with random BF16 weights, streaming (memory: one buffer), in safetensors shards of about 2 GB.
 * {@code java … SyntheticCheckpoint <dir> <dim> <layers> <heads> <kvHeads> <ffn> <vocab>}
 */
public final class SyntheticCheckpoint {
    public static void main(String[] a) throws IOException {
        Path dir = Path.of(a[0]);
        int dim = Integer.parseInt(a[1]), layers = Integer.parseInt(a[2]), heads = Integer.parseInt(a[3]),
                kvHeads = Integer.parseInt(a[4]), ffn = Integer.parseInt(a[5]), vocab = Integer.parseInt(a[6]);
        int hs = dim / heads;
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper();
        ObjectNode c = json.createObjectNode();
        c.put("model_type", "llama").put("hidden_size", dim).put("intermediate_size", ffn).put("num_attention_heads", heads)
                .put("num_key_value_heads", kvHeads).put("num_hidden_layers", layers).put("vocab_size", vocab)
                .put("max_position_embeddings", 2048).put("rms_norm_eps", 1e-5).put("rope_theta", 10000.0)
                .put("hidden_act", "silu").put("tie_word_embeddings", false).put("bos_token_id", 1).put("eos_token_id", 2);
        c.putArray("architectures").add("LlamaForCausalLM");
        Files.writeString(dir.resolve("config.json"), json.writeValueAsString(c));
        Files.writeString(dir.resolve("tokenizer.json"), tokenizer(json, vocab));

        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("model.embed_tokens.weight", new long[] {vocab, dim});
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            shapes.put(p + "input_layernorm.weight", new long[] {dim});
            shapes.put(p + "self_attn.q_proj.weight", new long[] {(long) heads * hs, dim});
            shapes.put(p + "self_attn.k_proj.weight", new long[] {(long) kvHeads * hs, dim});
            shapes.put(p + "self_attn.v_proj.weight", new long[] {(long) kvHeads * hs, dim});
            shapes.put(p + "self_attn.o_proj.weight", new long[] {dim, (long) heads * hs});
            shapes.put(p + "post_attention_layernorm.weight", new long[] {dim});
            shapes.put(p + "mlp.gate_proj.weight", new long[] {ffn, dim});
            shapes.put(p + "mlp.up_proj.weight", new long[] {ffn, dim});
            shapes.put(p + "mlp.down_proj.weight", new long[] {dim, ffn});
        }
        shapes.put("model.norm.weight", new long[] {dim});
        shapes.put("lm_head.weight", new long[] {vocab, dim});

        // split into files of about 2 GB, in order
        long cap = 2L << 30, at = 0;
        int file = 0;
        Map<String, Map<String, long[]>> files = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long bytes = 2 * e.getValue()[0] * (e.getValue().length == 2 ? e.getValue()[1] : 1);
            if (at > 0 && at + bytes > cap) {
                file++;
                at = 0;
            }
            files.computeIfAbsent("f" + file, k -> new LinkedHashMap<>()).put(e.getKey(), e.getValue());
            at += bytes;
        }
        ObjectNode index = json.createObjectNode();
        ObjectNode map = index.putObject("weight_map");
        SplittableRandom rnd = new SplittableRandom(42);
        int i = 0;
        for (Map<String, long[]> part : files.values()) {
            String name = String.format("model-%05d-of-%05d.safetensors", ++i, files.size());
            write(json, dir.resolve(name), part, rnd);
            for (String t : part.keySet()) map.put(t, name);
        }
        Files.writeString(dir.resolve("model.safetensors.index.json"), json.writeValueAsString(index));
    }

    private static void write(ObjectMapper json, Path file, Map<String, long[]> tensors, SplittableRandom rnd) throws IOException {
        ObjectNode h = json.createObjectNode();
        long off = 0;
        for (Map.Entry<String, long[]> e : tensors.entrySet()) {
            long n = e.getValue().length == 2 ? e.getValue()[0] * e.getValue()[1] : e.getValue()[0];
            ObjectNode t = h.putObject(e.getKey());
            t.put("dtype", "BF16");
            ArrayNode s = t.putArray("shape");
            for (long d : e.getValue()) s.add(d);
            t.putArray("data_offsets").add(off).add(off + 2 * n);
            off += 2 * n;
        }
        byte[] header = json.writeValueAsString(h).getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            for (int k = 0; k < 8; k++) out.write((int) ((long) header.length >>> (8 * k)));
            out.write(header);
            byte[] buf = new byte[1 << 20];
            for (long left = off; left > 0; ) {
                int n = (int) Math.min(buf.length, left);
                for (int k = 0; k < n; k += 2) {
                    int bits = Float.floatToRawIntBits((float) (rnd.nextDouble() - 0.5) * 0.08f) >>> 16;
                    buf[k] = (byte) bits;
                    buf[k + 1] = (byte) (bits >>> 8);
                }
                out.write(buf, 0, n);
                left -= n;
            }
        }
    }

    /** A SentencePiece-style BPE tokenizer.json with byte fallback and {@code vocab} tokens (no merges). */
    private static String tokenizer(ObjectMapper json, int vocab) {
        ObjectNode t = json.createObjectNode();
        ObjectNode model = t.putObject("model");
        model.put("type", "BPE").put("byte_fallback", true).put("unk_token", "<unk>");
        ObjectNode v = model.putObject("vocab");
        v.put("<unk>", 0).put("<s>", 1).put("</s>", 2);
        for (int b = 0; b < 256; b++) v.put(String.format("<0x%02X>", b), 3 + b);
        for (int id = 259; id < vocab; id++) v.put("\u2581t" + id, id);
        model.putArray("merges");
        t.putObject("normalizer").put("type", "Prepend").put("prepend", "\u2581");
        return json.writeValueAsString(t);
    }
}
