package dev.kiln.golden;

import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.packager.PackOptions;
import dev.kiln.packager.Packager;
import dev.kiln.packager.Quant;
import dev.kiln.reference.CpuModel;
import dev.kiln.reference.ShardSource;
import dev.kiln.sample.Sampler;
import dev.kiln.tokenizer.Tokenizer;
import dev.kiln.tokenizer.Vocabulary;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model as the engine sees it: packaged by {@link Packager#pack} into a folder, then read back only through
 * {@code manifest.json}, its shards and the tokenizer file, so golden tests exercise exactly the bytes we ship.
 */
record Packaged(Path dir, Manifest manifest, Vocabulary vocab) {

    static Packaged pack(Path input, Path outDir, Quant quant) throws IOException {
        Packager.pack(input, outDir, new PackOptions(quant, PackOptions.DEFAULT_SHARD_BYTES));
        Manifest m = Manifest.fromJson(Files.readString(outDir.resolve(Packager.MANIFEST_FILE)));
        Vocabulary v = Vocabulary.fromJson(Files.readString(outDir.resolve(m.tokenizer())));
        return new Packaged(outDir, m, v);
    }

    Tokenizer tokenizer() { return Tokenizer.of(vocab); }

    ShardSource shards() {
        return i -> {
            try {
                return Files.readAllBytes(dir.resolve(manifest.shards().get(i).file()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    CpuModel cpu() { return CpuModel.load(manifest, shards()); }

    /** The CPU reference over the same shards but a changed config: for mutation tests. */
    CpuModel cpu(ModelConfig altered) {
        Manifest m = new Manifest(manifest.name(), altered, manifest.tokenizer(), manifest.tensors(), manifest.shards());
        return CpuModel.load(m, shards());
    }

    /** Runs the prompt from position 0, then {@code n} greedy tokens (no stop at EOS, like the golden files). */
    static int[] greedy(CpuModel model, int[] prompt, int n) {
        model.reset();
        float[] logits = null;
        int pos = 0;
        for (int id : prompt) logits = model.forward(id, pos++);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = Sampler.argmax(logits, logits.length);
            if (i + 1 < n) logits = model.forward(out[i], pos++);
        }
        return out;
    }
}
