package dev.kiln.packager;

import dev.kiln.model.DType;
import dev.kiln.model.Manifest;
import dev.kiln.model.ShardInfo;
import dev.kiln.model.TensorInfo;
import dev.kiln.model.TensorNames;
import dev.kiln.packager.gguf.GgmlType;
import dev.kiln.packager.gguf.GgufFile;
import dev.kiln.packager.gguf.GgufWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Packager behaviour on synthetic GGUF files (no shared data needed). */
class PackagerTest {
    @TempDir
    Path tmp;

    private Path tiny(int version, boolean tied) throws IOException {
        return TinyLlama.writer(version, tied, 42).write(tmp.resolve("tiny-v" + version + (tied ? "-tied" : "") + ".gguf"));
    }

    @Test
    void tinyShardSizeSplitsAtTensorBoundariesAndRebuildsEveryTensor() throws IOException {
        Path in = tiny(2, false);
        long cap = 4096; // token_embd is 2 KiB, every ffn matrix 8 KiB: those exceed the cap and get shards of their own
        PackResult r = Packager.pack(in, tmp.resolve("out"), PackOptions.defaults().withShardBytes(cap));
        Manifest m = Manifest.fromJson(Files.readString(r.manifestFile()));
        assertTrue(m.shards().size() > 5, "expected many shards, got " + m.shards().size());
        for (int s = 0; s < m.shards().size(); s++) {
            int shard = s;
            List<TensorInfo> in_s = m.tensors().stream().filter(t -> t.shard() == shard).toList();
            assertFalse(in_s.isEmpty(), "shard " + s + " is empty");
            long size = m.shards().get(s).size();
            assertTrue(size <= cap || in_s.size() == 1 || oneGroup(in_s), "shard " + s + " is " + size + " bytes with "
                    + in_s.stream().map(TensorInfo::name).toList());
            assertEquals(0, in_s.get(0).offset(), "a shard starts with its first tensor");
            TensorInfo last = in_s.get(in_s.size() - 1);
            assertEquals(last.offset() + last.length(), size, "a shard ends with its last tensor");
        }
        int previous = 0;
        for (TensorInfo t : m.tensors()) {
            assertTrue(t.shard() >= previous, "tensors are written in order");
            previous = t.shard();
            assertEquals(0, t.offset() % Manifest.ALIGNMENT);
        }
        for (int l = 0; l < m.config().layers(); l++) {
            assertEquals(m.tensor(TensorNames.attnQ(l)).shard(), m.tensor(TensorNames.attnV(l)).shard(),
                    "q, k, v share a shard (the engine binds them as one range): layer " + l);
            assertEquals(m.tensor(TensorNames.attnQ(l)).shard(), m.tensor(TensorNames.attnK(l)).shard(), "layer " + l);
            if (TensorNames.ffnUp(l).equals(m.tensors().get(m.tensors().indexOf(m.tensor(TensorNames.ffnGate(l))) + 1).name())) {
                assertEquals(m.tensor(TensorNames.ffnGate(l)).shard(), m.tensor(TensorNames.ffnUp(l)).shard(),
                        "gate and up, stored one after the other, share a shard: layer " + l);
            }
        }
        assertPaddingIsZero(r.dir(), m);
        PackagerStoriesTest.assertShardsHashToTheirNames(r.dir(), m);
        try (GgufFile g = GgufFile.open(in)) {
            for (TensorInfo t : m.tensors()) {
                assertArrayEquals(g.read(g.tensor(t.name() + ".weight").orElseThrow()), Shards.bytes(r.dir(), m, t), t.name());
            }
        }
    }

    @Test
    void absentOutputWeightMeansTiedEmbeddingsAndNoOutputTensor() throws IOException {
        PackResult r = Packager.pack(tiny(3, true), tmp.resolve("out"), PackOptions.defaults());
        assertTrue(r.manifest().config().tiedEmbeddings());
        assertFalse(r.manifest().hasTensor("output"));
        assertEquals(1 + 1 + 9 * TinyLlama.LAYERS, r.manifest().tensors().size());
        PackResult untied = Packager.pack(tiny(3, false), tmp.resolve("out2"), PackOptions.defaults());
        assertFalse(untied.manifest().config().tiedEmbeddings());
        assertTrue(untied.manifest().hasTensor("output"));
    }

    @Test
    void eachQuantChoiceGivesItsDtypeAndVectorsStayF32() throws IOException {
        Path in = tiny(3, false);
        for (Quant q : Quant.values()) {
            PackResult r = Packager.pack(in, tmp.resolve("out-" + q.id()), PackOptions.defaults().withQuant(q));
            DType want = q == Quant.KEEP ? DType.F32 : DType.fromId(q.id());
            for (TensorInfo t : r.manifest().tensors()) {
                assertEquals(t.shape().length == 1 ? DType.F32 : want, t.dtype(), q + ": " + t.name());
            }
            for (QuantError e : r.errors()) {
                if (e.dtype() == DType.F32) assertEquals(0, e.maxAbs(), e.describe());
                else assertTrue(e.maxAbs() > 0 && e.rms() > 0 && e.rms() <= e.maxAbs(), e.describe());
            }
        }
    }

    @Test
    void q8AndQ4ErrorsShrinkWithBits() throws IOException {
        Path in = tiny(3, false);
        double q8 = Packager.pack(in, tmp.resolve("q8"), PackOptions.defaults().withQuant(Quant.Q8)).errors().get(0).rms();
        double q4 = Packager.pack(in, tmp.resolve("q4"), PackOptions.defaults().withQuant(Quant.Q4)).errors().get(0).rms();
        double f16 = Packager.pack(in, tmp.resolve("f16"), PackOptions.defaults().withQuant(Quant.F16)).errors().get(0).rms();
        assertTrue(f16 < q8 && q8 < q4, "rms f16 " + f16 + " < q8 " + q8 + " < q4 " + q4);
    }

    @Test
    void f16AndBf16InputsConvertExactly() throws IOException {
        float[] v = new float[TinyLlama.VOCAB * TinyLlama.DIM];
        byte[] f16 = new byte[2 * v.length], bf16 = new byte[2 * v.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i % 7 - 3) * 0.25f; // exact in f16 and in bf16
            int h = dev.kiln.quant.Half.fromFloat(v[i]), b = Float.floatToRawIntBits(v[i]) >>> 16;
            f16[2 * i] = (byte) h; f16[2 * i + 1] = (byte) (h >>> 8);
            bf16[2 * i] = (byte) b; bf16[2 * i + 1] = (byte) (b >>> 8);
        }
        for (GgmlType type : new GgmlType[] {GgmlType.F16, GgmlType.BF16}) {
            byte[] data = type == GgmlType.F16 ? f16 : bf16;
            Path in = withEmbedding(type, data, tmp.resolve(type + ".gguf"));
            PackResult r = Packager.pack(in, tmp.resolve("out-" + type), PackOptions.defaults());
            TensorInfo t = r.manifest().tensor("token_embd");
            assertEquals(type == GgmlType.F16 ? DType.F16 : DType.F32, t.dtype(), "keep: F16 stays f16, BF16 becomes f32");
            assertArrayEquals(v, Shards.values(r.dir(), r.manifest(), t));
        }
    }

    /** The tied tiny model with token_embd stored as {@code type}; the other tensors are copied from the F32 model. */
    private static Path withEmbedding(GgmlType type, byte[] data, Path file) throws IOException {
        GgufWriter w = TinyLlama.metadata(3).tensor("token_embd.weight", type, TinyLlama.ne(TinyLlama.VOCAB, TinyLlama.DIM), data);
        Path tmpFull = TinyLlama.writer(3, true, 1).write(file.resolveSibling("full-" + file.getFileName()));
        try (GgufFile g = GgufFile.open(tmpFull)) {
            for (var t : g.tensors()) if (!t.name().equals("token_embd.weight")) w.tensor(t.name(), t.type(), t.ne(), g.read(t));
        }
        return w.write(file);
    }

    @Test
    void wrongShapeIsNamedAndLeavesNothingBehind() throws IOException {
        Path in = TinyLlama.writer(3, false, 1, "blk.1.attn_k.weight").write(tmp.resolve("bad.gguf"));
        Path work = Files.createDirectories(tmp.resolve("work"));
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> Packager.pack(in, work.resolve("out"), PackOptions.defaults()));
        assertTrue(e.getMessage().contains("tensor 'blk.1.attn_k.weight' has shape [32, 16]"), e.getMessage());
        assertTrue(e.getMessage().contains("implies [16, 32]"), e.getMessage());
        assertEmpty(work);
    }

    @Test
    void missingAndUnknownTensorsAreNamed() throws IOException {
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path missing = TinyLlama.metadata(3).tensor("token_embd.weight", GgmlType.F32, TinyLlama.ne(TinyLlama.VOCAB, TinyLlama.DIM),
                new byte[4 * TinyLlama.VOCAB * TinyLlama.DIM]).write(tmp.resolve("missing.gguf"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Packager.pack(missing, work.resolve("o"), PackOptions.defaults()));
        assertTrue(e.getMessage().contains("tensor 'output_norm.weight' is missing"), e.getMessage());
        Path extra = TinyLlama.writer(3, false, 1).tensor("blk.0.attn_sinks.weight", GgmlType.F32, new long[] {4}, new byte[16])
                .write(tmp.resolve("extra.gguf"));
        e = assertThrows(ModelFormatException.class, () -> Packager.pack(extra, work.resolve("o"), PackOptions.defaults()));
        assertTrue(e.getMessage().contains("tensor 'blk.0.attn_sinks.weight' is not a llama tensor"), e.getMessage());
        assertEmpty(work);
    }

    @Test
    void nonLlamaArchitectureIsRefused() throws IOException {
        Path in = new GgufWriter(3).string("general.architecture", "gpt2").write(tmp.resolve("g.gguf"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Packager.pack(in, tmp.resolve("o"), PackOptions.defaults()));
        assertTrue(e.getMessage().contains("general.architecture is 'gpt2'"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("o")));
    }

    @Test
    void aForeignNonEmptyOutputDirectoryIsRefusedAndUntouched() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(out.resolve("notes.txt"), "mine");
        assertThrows(FileAlreadyExistsException.class, () -> Packager.pack(tiny(3, false), out, PackOptions.defaults()));
        assertEquals(List.of(out.resolve("notes.txt")), Files.list(out).toList());
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(2, s.count(), "only the input and out: no temp dirs");
        }
    }

    @Test
    void anEarlierPackageIsReplacedWholesale() throws IOException {
        Path in = tiny(3, false);
        Path out = tmp.resolve("out");
        PackResult first = Packager.pack(in, out, PackOptions.defaults());
        PackResult second = Packager.pack(in, out, PackOptions.defaults().withQuant(Quant.Q8));
        assertNotEquals(first.manifest().shards().get(0).file(), second.manifest().shards().get(0).file());
        for (ShardInfo s : first.manifest().shards()) assertFalse(Files.exists(out.resolve(s.file())), "old shard " + s.file() + " remains");
        assertEquals(second.manifest().toJson(), Files.readString(out.resolve("manifest.json")));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(2, s.count(), "only the input and out: no temp or old dirs");
        }
    }

    /** Whether the tensors are one layer's q/k/v or gate/up: a group that may exceed the cap together. */
    private static boolean oneGroup(List<TensorInfo> ts) {
        List<String> names = ts.stream().map(t -> t.name().replaceAll("^blk\\.\\d+\\.", "")).toList();
        return names.equals(List.of("attn_q", "attn_k", "attn_v")) || names.equals(List.of("ffn_gate", "ffn_up"));
    }

    private static void assertEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.toList(), "left behind in " + dir);
        }
    }

    private static void assertPaddingIsZero(Path dir, Manifest m) throws IOException {
        for (int s = 0; s < m.shards().size(); s++) {
            byte[] b = Files.readAllBytes(dir.resolve(m.shards().get(s).file()));
            boolean[] used = new boolean[b.length];
            for (TensorInfo t : m.tensors()) {
                if (t.shard() == s) for (long i = t.offset(); i < t.offset() + t.length(); i++) used[(int) i] = true;
            }
            for (int i = 0; i < b.length; i++) if (!used[i]) assertEquals(0, b[i], "padding byte " + i + " of shard " + s);
        }
    }
}
