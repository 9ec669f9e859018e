package dev.kiln.reference;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.kiln.model.Manifest;
import dev.kiln.model.TensorInfo;
import dev.kiln.quant.Dequant;
import dev.kiln.recipe.Recipe;
import dev.kiln.recipe.Stage;
import dev.kiln.recipe.Weight;

/**
 * The weights a {@link Recipe} reads, dequantized to f32 once (the CPU reference's view; fine for test-sized
 * models), each checked against the shape the config implies. Shapes are [rows, cols] row-major, as in the manifest;
 * a tensor two stages read (tied embeddings) is one array.
 */
final class Weights {
    private Weights() {}

    /** For each stage of {@code stages}, its weights in the stage's order: (stages)(weights of the stage). */
    static float[][][] load(Manifest m, ShardSource source, List<Stage> stages) {
        byte[][] shards = new byte[m.shards().size()][];
        Map<String, float[]> loaded = new HashMap<>();
        float[][][] out = new float[stages.size()][][];
        for (int i = 0; i < out.length; i++) {
            List<Weight> ws = stages.get(i).weights();
            out[i] = new float[ws.size()][];
            for (int j = 0; j < ws.size(); j++) {
                Weight w = ws.get(j);
                float[] v = loaded.get(w.tensor());
                if (v == null) {
                    v = tensor(m, source, shards, w);
                    loaded.put(w.tensor(), v);
                }
                out[i][j] = v;
            }
        }
        return out;
    }

    private static float[] tensor(Manifest m, ShardSource source, byte[][] shards, Weight w) {
        TensorInfo t = m.tensor(w.tensor());
        if (t.rows() != w.rows() || t.cols() != w.cols()) {
            throw new IllegalArgumentException("tensor '" + w.tensor() + "' is " + t.rows() + "x" + t.cols()
                    + " but the config needs " + w.rows() + "x" + w.cols() + ": the manifest does not match its config");
        }
        byte[] data = shard(m, source, shards, t.shard());
        if (t.offset() + t.length() > data.length) {
            throw new IllegalArgumentException("tensor '" + w.tensor() + "' ends at byte " + (t.offset() + t.length())
                    + " but shard " + t.shard() + " has only " + data.length + " bytes");
        }
        return Dequant.all(t.dtype(), data, (int) t.offset(), w.rows(), w.cols());
    }

    private static byte[] shard(Manifest m, ShardSource source, byte[][] shards, int i) {
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
