package dev.kiln.reference;

import dev.kiln.model.DType;
import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeStyle;
import dev.kiln.model.ShardInfo;
import dev.kiln.model.TensorInfo;
import dev.kiln.model.TensorNames;
import dev.kiln.quant.Q8;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A small random-weight Llama written as a real package (manifest + one shard, 256-aligned offsets), so the CPU
 * reference is tested through the same loading path as a packaged model. GQA (4 query heads over 2 KV heads).
 */
final class TinyModel {
    static final int DIM = 32, LAYERS = 2, HEADS = 4, KV_HEADS = 2, HEAD = 8, FFN = 64, VOCAB = 24, CONTEXT = 16;

    final ModelConfig config;
    final Map<String, float[]> weights = new LinkedHashMap<>(); // name -> row-major f32 values
    final Map<String, long[]> shapes = new LinkedHashMap<>();   // name -> [n] or [rows, cols]
    Manifest manifest;
    byte[] shard;

    TinyModel(long seed, boolean tied, RopeStyle style) {
        this(seed, new ModelConfig("llama", DIM, LAYERS, HEADS, KV_HEADS, HEAD, FFN, VOCAB, 1e-5f, 10000f, style, CONTEXT,
                1, 2, tied));
    }

    /** Any config (its flags decide the extra tensors); the widths come from it. */
    TinyModel(long seed, ModelConfig c) {
        config = c;
        int dim = c.dim(), qDim = c.qDim(), kvDim = c.kvDim(), ffn = c.ffn();
        Random r = new Random(seed);
        put(TensorNames.TOKEN_EMBD, c.vocab(), dim, r, 1f);
        for (int l = 0; l < c.layers(); l++) {
            norm(TensorNames.attnNorm(l), dim, r);
            put(TensorNames.attnQ(l), qDim, dim, r, 0.5f);
            put(TensorNames.attnK(l), kvDim, dim, r, 0.5f);
            put(TensorNames.attnV(l), kvDim, dim, r, 0.5f);
            if (c.qkvBias()) {
                vector(TensorNames.attnQBias(l), qDim, r, 0f, 1f);
                vector(TensorNames.attnKBias(l), kvDim, r, 0f, 1f);
                vector(TensorNames.attnVBias(l), kvDim, r, 0f, 1f);
            }
            if (c.qkNorm()) {
                norm(TensorNames.attnQNorm(l), c.headSize(), r);
                norm(TensorNames.attnKNorm(l), c.headSize(), r);
            }
            put(TensorNames.attnOutput(l), dim, qDim, r, 0.5f);
            norm(TensorNames.ffnNorm(l), dim, r);
            put(TensorNames.ffnGate(l), ffn, dim, r, 0.5f);
            put(TensorNames.ffnUp(l), ffn, dim, r, 0.5f);
            put(TensorNames.ffnDown(l), dim, ffn, r, 0.5f);
        }
        norm(TensorNames.OUTPUT_NORM, dim, r);
        if (!c.tiedEmbeddings()) put(TensorNames.OUTPUT, c.vocab(), dim, r, 1f);
        write(DType.F32);
    }

    private void put(String name, int rows, int cols, Random r, float scale) {
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) (scale * r.nextGaussian());
        weights.put(name, w);
        shapes.put(name, new long[] {rows, cols});
    }

    private void vector(String name, int n, Random r, float mean, float spread) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = mean + spread * (float) r.nextGaussian();
        weights.put(name, w);
        shapes.put(name, new long[] {n});
    }

    private void norm(String name, int n, Random r) { vector(name, n, r, 1f, 0.2f); }

    /** (Re)writes the shard with every matrix in {@code matrices} (vectors stay f32) and the manifest through its JSON codec. */
    TinyModel write(DType matrices) {
        List<TensorInfo> infos = new ArrayList<>();
        List<byte[]> blobs = new ArrayList<>();
        long offset = 0;
        for (Map.Entry<String, float[]> e : weights.entrySet()) {
            long[] shape = shapes.get(e.getKey());
            boolean vector = shape.length == 1;
            int cols = (int) shape[shape.length - 1];
            int rows = vector ? 1 : (int) shape[0];
            DType t = vector ? DType.F32 : matrices;
            byte[] b = t == DType.Q8 ? Q8.quantize(e.getValue(), rows, cols) : f32(e.getValue());
            infos.add(new TensorInfo(e.getKey(), shape, t, 0, offset, b.length));
            blobs.add(b);
            offset = (offset + b.length + Manifest.ALIGNMENT - 1) / Manifest.ALIGNMENT * Manifest.ALIGNMENT;
        }
        shard = new byte[(int) offset];
        for (int i = 0; i < blobs.size(); i++) System.arraycopy(blobs.get(i), 0, shard, (int) infos.get(i).offset(), blobs.get(i).length);
        Manifest m = new Manifest("tiny", config, "tokenizer-0.json", infos, List.of(new ShardInfo("shard-00000-0.bin", shard.length, "0")));
        manifest = Manifest.fromJson(m.toJson());
        return this;
    }

    private static byte[] f32(float[] v) {
        byte[] b = new byte[4 * v.length];
        for (int i = 0; i < v.length; i++) {
            int bits = Float.floatToRawIntBits(v[i]);
            b[4 * i] = (byte) bits;
            b[4 * i + 1] = (byte) (bits >>> 8);
            b[4 * i + 2] = (byte) (bits >>> 16);
            b[4 * i + 3] = (byte) (bits >>> 24);
        }
        return b;
    }

    CpuModel load() { return CpuModel.load(manifest, i -> shard); }
}
