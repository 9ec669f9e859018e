package dev.kiln.packager.hf;

import dev.kiln.model.Manifest;
import dev.kiln.model.TensorInfo;
import dev.kiln.packager.PackOptions;
import dev.kiln.packager.Packager;
import dev.kiln.reference.CpuModel;
import dev.kiln.reference.ShardSource;
import dev.kiln.sample.Sampler;
import dev.kiln.tokenizer.Tokenizer;
import dev.kiln.tokenizer.Vocabulary;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** A package read back only through manifest.json, its shards and its tokenizer file (what the engine sees). */
public record PackagedModel(Path dir, Manifest manifest, Vocabulary vocab) {

    public static PackagedModel pack(Path input, Path out) throws IOException {
        Packager.pack(input, out, PackOptions.defaults());
        return read(out);
    }

    public static PackagedModel read(Path dir) throws IOException {
        Manifest m = Manifest.fromJson(Files.readString(dir.resolve(Packager.MANIFEST_FILE)));
        return new PackagedModel(dir, m, Vocabulary.fromJson(Files.readString(dir.resolve(m.tokenizer()))));
    }

    /** The bytes of one tensor as stored. */
    public byte[] bytes(String tensor) throws IOException {
        TensorInfo t = manifest.tensor(tensor);
        byte[] shard = Files.readAllBytes(dir.resolve(manifest.shards().get(t.shard()).file()));
        return Arrays.copyOfRange(shard, (int) t.offset(), (int) (t.offset() + t.length()));
    }

    /** The manifest as JSON with the model's name blanked (names follow the input's file or folder name). */
    public String jsonWithoutName() {
        return new Manifest("-", manifest.config(), manifest.tokenizer(), manifest.tensors(), manifest.shards()).toJson();
    }

    public Tokenizer tokenizer() { return Tokenizer.of(vocab); }

    public CpuModel cpu() {
        ShardSource s = i -> {
            try {
                return Files.readAllBytes(dir.resolve(manifest.shards().get(i).file()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        return CpuModel.load(manifest, s);
    }

    /** The prompt from position 0, then {@code n} greedy tokens (no stop at EOS, like the golden files). */
    public static int[] greedy(CpuModel model, int[] prompt, int n) {
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
