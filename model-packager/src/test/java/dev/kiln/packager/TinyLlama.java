package dev.kiln.packager;

import dev.kiln.packager.gguf.GgmlType;
import dev.kiln.packager.gguf.GgufValueType;
import dev.kiln.packager.gguf.GgufWriter;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A complete, tiny synthetic llama GGUF (random F32 weights) for packager tests that need no shared files. */
public final class TinyLlama {
    private TinyLlama() {}

    public static final int DIM = 32, LAYERS = 2, HEADS = 4, KV_HEADS = 2, HEAD = DIM / HEADS, FFN = 64, VOCAB = 16, CONTEXT = 64;

    /** Metadata plus every tensor; {@code tied} leaves out {@code output.weight}. */
    public static GgufWriter writer(int version, boolean tied, long seed) {
        return writer(version, tied, seed, "");
    }

    /** Like {@link #writer(int, boolean, long)}, with tensor {@code transposed}'s ne written the wrong way round. */
    public static GgufWriter writer(int version, boolean tied, long seed, String transposed) {
        GgufWriter w = new GgufWriter(version) {
            @Override
            public GgufWriter tensor(String name, GgmlType type, long[] ne, byte[] data) {
                return super.tensor(name, type, name.equals(transposed) ? new long[] {ne[1], ne[0]} : ne, data);
            }
        };
        metadata(w);
        Random rng = new Random(seed);
        w.tensor("token_embd.weight", GgmlType.F32, ne(VOCAB, DIM), random(rng, VOCAB * DIM));
        w.tensor("output_norm.weight", GgmlType.F32, new long[] {DIM}, random(rng, DIM));
        if (!tied) w.tensor("output.weight", GgmlType.F32, ne(VOCAB, DIM), random(rng, VOCAB * DIM));
        for (int l = 0; l < LAYERS; l++) {
            String b = "blk." + l + ".";
            w.tensor(b + "attn_norm.weight", GgmlType.F32, new long[] {DIM}, random(rng, DIM));
            w.tensor(b + "attn_q.weight", GgmlType.F32, ne(HEADS * HEAD, DIM), random(rng, HEADS * HEAD * DIM));
            w.tensor(b + "attn_k.weight", GgmlType.F32, ne(KV_HEADS * HEAD, DIM), random(rng, KV_HEADS * HEAD * DIM));
            w.tensor(b + "attn_v.weight", GgmlType.F32, ne(KV_HEADS * HEAD, DIM), random(rng, KV_HEADS * HEAD * DIM));
            w.tensor(b + "attn_output.weight", GgmlType.F32, ne(DIM, HEADS * HEAD), random(rng, DIM * HEADS * HEAD));
            w.tensor(b + "ffn_norm.weight", GgmlType.F32, new long[] {DIM}, random(rng, DIM));
            w.tensor(b + "ffn_gate.weight", GgmlType.F32, ne(FFN, DIM), random(rng, FFN * DIM));
            w.tensor(b + "ffn_up.weight", GgmlType.F32, ne(FFN, DIM), random(rng, FFN * DIM));
            w.tensor(b + "ffn_down.weight", GgmlType.F32, ne(DIM, FFN), random(rng, DIM * FFN));
        }
        return w;
    }

    /** The llama.* and tokenizer.ggml.* metadata of the tiny model, without tensors. */
    public static GgufWriter metadata(int version) {
        return metadata(new GgufWriter(version));
    }

    private static GgufWriter metadata(GgufWriter w) {
        w.string("general.architecture", "llama")
                .string("general.name", "tiny")
                .u32("llama.context_length", CONTEXT)
                .u32("llama.embedding_length", DIM)
                .u32("llama.block_count", LAYERS)
                .u32("llama.feed_forward_length", FFN)
                .u32("llama.attention.head_count", HEADS)
                .u32("llama.attention.head_count_kv", KV_HEADS)
                .u32("llama.rope.dimension_count", HEAD)
                .f32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                .string("tokenizer.ggml.model", "llama");
        List<Object> tokens = new ArrayList<>(), scores = new ArrayList<>(), types = new ArrayList<>();
        for (int i = 0; i < VOCAB; i++) {
            tokens.add(i == 0 ? "<unk>" : i == 1 ? "<s>" : i == 2 ? "</s>" : "▁t" + i);
            scores.add((float) -i);
            types.add((long) (i == 0 ? 2 : i < 3 ? 3 : 1));
        }
        w.kv("tokenizer.ggml.tokens", GgufValueType.ARRAY, new dev.kiln.packager.gguf.GgufArray(GgufValueType.STRING, tokens));
        w.kv("tokenizer.ggml.scores", GgufValueType.ARRAY, new dev.kiln.packager.gguf.GgufArray(GgufValueType.FLOAT32, scores));
        w.kv("tokenizer.ggml.token_type", GgufValueType.ARRAY, new dev.kiln.packager.gguf.GgufArray(GgufValueType.INT32, types));
        w.u32("tokenizer.ggml.bos_token_id", 1).u32("tokenizer.ggml.eos_token_id", 2).u32("tokenizer.ggml.unknown_token_id", 0);
        return w;
    }

    /** GGUF ne of a rows×cols matrix: contiguous dimension first. */
    public static long[] ne(long rows, long cols) { return new long[] {cols, rows}; }

    public static byte[] random(Random rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian() * 0.1f;
        return GgufWriter.f32Bytes(v);
    }
}
