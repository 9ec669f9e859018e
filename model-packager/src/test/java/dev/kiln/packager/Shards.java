package dev.kiln.packager;

import dev.kiln.model.Manifest;
import dev.kiln.model.TensorInfo;
import dev.kiln.quant.Dequant;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Test helpers that read a package back the way the engine does: from the manifest and the shard files only. */
final class Shards {
    private Shards() {}

    static byte[] bytes(Path dir, Manifest m, TensorInfo t) throws IOException {
        byte[] shard = Files.readAllBytes(dir.resolve(m.shards().get(t.shard()).file()));
        return Arrays.copyOfRange(shard, (int) t.offset(), (int) (t.offset() + t.length()));
    }

    static float[] values(Path dir, Manifest m, TensorInfo t) throws IOException {
        return Dequant.all(t.dtype(), bytes(dir, m, t), 0, (int) t.rows(), (int) t.cols());
    }

    static String ggufName(String ours) { return ours + ".weight"; }
}
