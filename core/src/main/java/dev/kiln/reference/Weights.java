package dev.kiln.reference;

import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.model.TensorInfo;
import dev.kiln.model.TensorNames;
import dev.kiln.quant.Dequant;

/**
 * A packaged model's weights dequantized to f32 (the CPU reference's view; fine for test-sized models).
 * Shapes are [rows, cols] row-major, as in the manifest.
 */
record Weights(
        float[] tokenEmbd,  // (vocab, dim)
        float[][] attnNorm, // (layers, dim)
        float[][] wq,       // (layers, qDim * dim)
        float[][] wk,       // (layers, kvDim * dim)
        float[][] wv,       // (layers, kvDim * dim)
        float[][] wo,       // (layers, dim * qDim)
        float[][] ffnNorm,  // (layers, dim)
        float[][] w1,       // (layers, ffn * dim)   gate
        float[][] w2,       // (layers, dim * ffn)   down
        float[][] w3,       // (layers, ffn * dim)   up
        float[][] bq,       // (layers, qDim)  q bias; null without qkv_bias
        float[][] bk,       // (layers, kvDim) k bias; null without qkv_bias
        float[][] bv,       // (layers, kvDim) v bias; null without qkv_bias
        float[][] qNorm,    // (layers, headSize) per-head q RMSNorm weight; null without qk_norm
        float[][] kNorm,    // (layers, headSize) per-head k RMSNorm weight; null without qk_norm
        float[] outputNorm, // (dim)
        float[] output) {   // (vocab, dim); the same array as tokenEmbd when the manifest has no "output"

    static Weights load(Manifest m, ShardSource source) {
        ModelConfig c = m.config();
        byte[][] shards = new byte[m.shards().size()][];
        Loader in = new Loader(m, source, shards);
        int layers = c.layers(), dim = c.dim(), qDim = c.qDim(), kvDim = c.kvDim(), ffn = c.ffn();
        float[][] attnNorm = new float[layers][], wq = new float[layers][], wk = new float[layers][],
                wv = new float[layers][], wo = new float[layers][], ffnNorm = new float[layers][],
                w1 = new float[layers][], w2 = new float[layers][], w3 = new float[layers][];
        float[][] bq = c.qkvBias() ? new float[layers][] : null, bk = c.qkvBias() ? new float[layers][] : null,
                bv = c.qkvBias() ? new float[layers][] : null, qNorm = c.qkNorm() ? new float[layers][] : null,
                kNorm = c.qkNorm() ? new float[layers][] : null;
        for (int l = 0; l < layers; l++) {
            attnNorm[l] = in.tensor(TensorNames.attnNorm(l), 1, dim);
            wq[l] = in.tensor(TensorNames.attnQ(l), qDim, dim);
            wk[l] = in.tensor(TensorNames.attnK(l), kvDim, dim);
            wv[l] = in.tensor(TensorNames.attnV(l), kvDim, dim);
            wo[l] = in.tensor(TensorNames.attnOutput(l), dim, qDim);
            ffnNorm[l] = in.tensor(TensorNames.ffnNorm(l), 1, dim);
            w1[l] = in.tensor(TensorNames.ffnGate(l), ffn, dim);
            w2[l] = in.tensor(TensorNames.ffnDown(l), dim, ffn);
            w3[l] = in.tensor(TensorNames.ffnUp(l), ffn, dim);
            if (c.qkvBias()) {
                bq[l] = in.tensor(TensorNames.attnQBias(l), 1, qDim);
                bk[l] = in.tensor(TensorNames.attnKBias(l), 1, kvDim);
                bv[l] = in.tensor(TensorNames.attnVBias(l), 1, kvDim);
            }
            if (c.qkNorm()) {
                qNorm[l] = in.tensor(TensorNames.attnQNorm(l), 1, c.headSize());
                kNorm[l] = in.tensor(TensorNames.attnKNorm(l), 1, c.headSize());
            }
        }
        float[] tokenEmbd = in.tensor(TensorNames.TOKEN_EMBD, c.vocab(), dim);
        float[] outputNorm = in.tensor(TensorNames.OUTPUT_NORM, 1, dim);
        // tied embeddings: the LM head is the embedding table when there is no separate "output"
        float[] output = m.hasTensor(TensorNames.OUTPUT) ? in.tensor(TensorNames.OUTPUT, c.vocab(), dim) : tokenEmbd;
        return new Weights(tokenEmbd, attnNorm, wq, wk, wv, wo, ffnNorm, w1, w2, w3, bq, bk, bv, qNorm, kNorm,
                outputNorm, output);
    }

    /** Reads tensors, each shard once, checking every shape against the config. */
    private record Loader(Manifest m, ShardSource source, byte[][] shards) {
        float[] tensor(String name, int rows, int cols) {
            TensorInfo t = m.tensor(name);
            if (t.rows() != rows || t.cols() != cols) {
                throw new IllegalArgumentException("tensor '" + name + "' is " + t.rows() + "x" + t.cols()
                        + " but the config needs " + rows + "x" + cols + ": the manifest does not match its config");
            }
            byte[] data = shard(t.shard());
            if (t.offset() + t.length() > data.length) {
                throw new IllegalArgumentException("tensor '" + name + "' ends at byte " + (t.offset() + t.length())
                        + " but shard " + t.shard() + " has only " + data.length + " bytes");
            }
            return Dequant.all(t.dtype(), data, (int) t.offset(), rows, cols);
        }

        private byte[] shard(int i) {
            if (shards[i] == null) {
                shards[i] = source.read(i);
                long expected = m.shards().get(i).size();
                if (shards[i] == null || shards[i].length != expected) {
                    throw new IllegalArgumentException("shard " + i + " (" + m.shards().get(i).file() + ") has "
                            + (shards[i] == null ? "no" : String.valueOf(shards[i].length)) + " bytes, the manifest says " + expected);
                }
            }
            return shards[i];
        }
    }
}
