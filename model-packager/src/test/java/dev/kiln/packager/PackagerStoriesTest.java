package dev.kiln.packager;

import dev.kiln.model.DType;
import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeStyle;
import dev.kiln.model.ShardInfo;
import dev.kiln.model.TensorInfo;
import dev.kiln.packager.gguf.GgufFile;
import dev.kiln.packager.gguf.GgufTensor;
import dev.kiln.quant.Half;
import dev.kiln.tokenizer.Vocabulary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.*;

/** Packaging the real stories260K GGUF files (../shared/models/stories260K) and reading them back from the shards. */
class PackagerStoriesTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"stories260K.gguf", "stories260K-q8_0.gguf", "stories260K-q4_0.gguf"})
    void importsEachStoriesFileWithoutChangingAnyValue(String file) throws IOException {
        Path in = Shared.stories(file);
        PackResult r = Packager.pack(in, tmp.resolve("out"), PackOptions.defaults());
        Manifest m = Manifest.fromJson(Files.readString(r.manifestFile()));
        assertEquals(r.manifest().toJson(), m.toJson(), "manifest.json round-trips through the codec");
        assertEquals(48, m.tensors().size());
        assertFalse(m.hasTensor("output.weight"));
        try (GgufFile gguf = GgufFile.open(in)) {
            for (TensorInfo t : m.tensors()) {
                GgufTensor src = gguf.tensor(Shards.ggufName(t.name())).orElseThrow();
                float[] want = gguf.readFloats(src);
                float[] got = Shards.values(r.dir(), m, t);
                assertEquals(want.length, got.length, t.name());
                for (int i = 0; i < want.length; i++) {
                    if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                        fail(t.name() + "[" + i + "]: packed " + got[i] + ", source " + want[i]);
                    }
                }
                DType expected = switch (src.type()) {
                    case Q4_0 -> DType.Q4;
                    case Q8_0 -> DType.Q8;
                    default -> DType.F32;
                };
                assertEquals(expected, t.dtype(), t.name() + " keeps its type");
            }
        }
        for (QuantError e : r.errors()) assertEquals(0.0, e.maxAbs(), e.describe());
        assertShardsHashToTheirNames(r.dir(), m);
    }

    @Test
    void configAndTokenizerComeFromTheGgufMetadata() throws IOException {
        PackResult r = Packager.pack(Shared.stories("stories260K.gguf"), tmp.resolve("out"), PackOptions.defaults());
        ModelConfig c = r.manifest().config();
        assertEquals(new ModelConfig("llama", 64, 5, 8, 4, 8, 172, 512, 1e-5f, 10000f, RopeStyle.INTERLEAVED, 128, 1, 2,
                false), c);
        assertArrayEquals(new long[] {172, 64}, r.manifest().tensor("blk.0.ffn_gate").shape(), "[rows, cols] = [ne1, ne0]");
        assertArrayEquals(new long[] {64, 172}, r.manifest().tensor("blk.0.ffn_down").shape());
        assertArrayEquals(new long[] {64}, r.manifest().tensor("blk.0.attn_norm").shape());

        String tokFile = r.manifest().tokenizer();
        byte[] tok = Files.readAllBytes(r.dir().resolve(tokFile));
        assertEquals("tokenizer-" + Packager.sha256(tok).substring(0, 16) + ".json", tokFile);
        Vocabulary v = Vocabulary.fromJson(new String(tok, StandardCharsets.UTF_8));
        assertEquals("spm", v.model());
        assertEquals(512, v.size());
        assertEquals("<s>", v.tokens().get(v.bos()));
        assertEquals("</s>", v.tokens().get(v.eos()));
        assertEquals(0, v.unk());
        assertTrue(v.addBos(), "llama SentencePiece adds BOS by default");
        assertTrue(v.addSpacePrefix(), "llama SentencePiece adds a space prefix by default");
        assertEquals(Vocabulary.BYTE, v.types()[3], "<0x00> is a byte token");
        try (GgufFile gguf = GgufFile.open(Shared.stories("stories260K.gguf"))) {
            assertEquals(gguf.strings("tokenizer.ggml.tokens"), v.tokens());
            float[] scores = gguf.floats("tokenizer.ggml.scores");
            for (int i = 0; i < scores.length; i++) {
                // value equality: core's JSON writes -0.0 as 0, which compares equal when merging by score
                assertTrue(scores[i] == v.scores()[i], "score " + i + ": " + v.scores()[i] + " != " + scores[i]);
            }
        }
    }

    @Test
    void v1FileGivesTheSameShardsAsTheV3File() throws IOException {
        Manifest v1 = Packager.pack(Shared.stories("tinyllamas-stories-260k-f32.v1.gguf"), tmp.resolve("v1"),
                PackOptions.defaults()).manifest();
        Manifest v3 = Packager.pack(Shared.stories("stories260K.gguf"), tmp.resolve("v3"), PackOptions.defaults()).manifest();
        assertEquals(512, v1.config().context());
        for (TensorInfo t : v3.tensors()) {
            assertArrayEquals(Shards.bytes(tmp.resolve("v3"), v3, t), Shards.bytes(tmp.resolve("v1"), v1, v1.tensor(t.name())), t.name());
        }
    }

    @Test
    void q4OfTheF32ModelIsWithinHalfAScaleStepPerElement() throws IOException {
        Path in = Shared.stories("stories260K.gguf");
        PackResult r = Packager.pack(in, tmp.resolve("q4"), PackOptions.defaults().withQuant(Quant.Q4));
        Manifest m = r.manifest();
        assertEquals(DType.F16, m.tensor("blk.0.ffn_down").dtype(), "172-wide rows cannot be grouped by 32");
        assertEquals(DType.F32, m.tensor("blk.0.ffn_norm").dtype(), "vectors stay f32");
        assertEquals(DType.Q4, m.tensor("blk.0.ffn_gate").dtype());
        assertEquals(DType.Q4, m.tensor("token_embd").dtype());
        try (GgufFile gguf = GgufFile.open(in)) {
            for (TensorInfo t : m.tensors()) {
                float[] src = gguf.readFloats(gguf.tensor(Shards.ggufName(t.name())).orElseThrow());
                float[] got = Shards.values(r.dir(), m, t);
                byte[] b = Shards.bytes(r.dir(), m, t);
                double worst = 0;
                for (int i = 0; i < src.length; i++) {
                    double err = Math.abs(got[i] - src[i]);
                    worst = Math.max(worst, err);
                    double bound = switch (t.dtype()) {
                        // d = group max / -8 (f16); q = round(x/d) + 8 clamped to 15: half a step, a whole one at the clamp
                        case Q4 -> {
                            int g = i / DType.GROUP;
                            int so = (int) DType.Q4.scaleOffset(t.rows(), t.cols());
                            double d = Math.abs(Half.toFloat((b[so + 2 * g] & 0xff) | (b[so + 2 * g + 1] & 0xff) << 8));
                            int q = dev.kiln.quant.Q4.nibble(b, 0, i);
                            yield (q == 15 ? d : d / 2) * (1 + 1e-2) + 1e-7;
                        }
                        case F16 -> Math.abs(src[i]) * 0x1p-11 + 0x1p-25; // half an f16 ulp (or subnormal step)
                        default -> 0;
                    };
                    if (err > bound) fail(t.name() + "[" + i + "] " + t.dtype().id() + ": error " + err + " > " + bound);
                }
                QuantError reported = r.errors().get(m.tensors().indexOf(t));
                assertEquals(worst, reported.maxAbs(), 1e-12, "reported max error of " + t.name());
                if (t.dtype() == DType.Q4) assertTrue(reported.rms() > 0, "q4 of real weights is lossy: " + t.name());
            }
        }
        assertShardsHashToTheirNames(r.dir(), m);
    }

    @Test
    void truncatedStoriesFileLeavesNothingBehind() throws IOException {
        byte[] whole = Files.readAllBytes(Shared.stories("stories260K.gguf"));
        Path work = Files.createDirectories(tmp.resolve("work"));
        for (int cut : new int[] {4, 10, 100, 5000, 14152, 14170, 600000, whole.length - 1}) {
            Path bad = tmp.resolve("cut.gguf");
            Files.write(bad, java.util.Arrays.copyOf(whole, cut));
            ModelFormatException e = assertThrows(ModelFormatException.class,
                    () -> Packager.pack(bad, work.resolve("out"), PackOptions.defaults()), "cut at " + cut);
            assertTrue(e.getMessage().startsWith("cut.gguf: "), e.getMessage());
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("impossible"), e.getMessage());
            try (var left = Files.list(work)) {
                assertEquals(0, left.count(), "cut at " + cut + " left files behind");
            }
        }
    }

    @Test
    void corruptOffsetAndTypeInTheRealHeaderAreNamed() throws IOException {
        byte[] whole = Files.readAllBytes(Shared.stories("stories260K.gguf"));
        // the last tensor info (blk.4.ffn_norm.weight) ends the header at 14152: u32 type at 14140, u64 offset at 14144
        Path work = Files.createDirectories(tmp.resolve("work"));
        byte[] offset = whole.clone();
        offset[14144 + 3] = 0x40;
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> Packager.pack(Files.write(tmp.resolve("o.gguf"), offset), work.resolve("out"), PackOptions.defaults()));
        assertTrue(e.getMessage().contains("tensor 'blk.4.ffn_norm.weight'") && e.getMessage().contains("file ends at"), e.getMessage());
        byte[] type = whole.clone();
        type[14140] = 14;
        e = assertThrows(ModelFormatException.class,
                () -> Packager.pack(Files.write(tmp.resolve("t.gguf"), type), work.resolve("out"), PackOptions.defaults()));
        assertTrue(e.getMessage().contains("tensor 'blk.4.ffn_norm.weight'") && e.getMessage().contains("Q6_K (14)"), e.getMessage());
        try (var left = Files.list(work)) {
            assertEquals(0, left.count());
        }
    }

    static void assertShardsHashToTheirNames(Path dir, Manifest m) throws IOException {
        for (int i = 0; i < m.shards().size(); i++) {
            ShardInfo s = m.shards().get(i);
            byte[] b = Files.readAllBytes(dir.resolve(s.file()));
            String hex = HexFormat.of().formatHex(sha(b));
            assertEquals(hex, s.sha256(), s.file());
            assertEquals(b.length, s.size(), s.file());
            assertEquals(String.format("shard-%05d-%s.bin", i, hex.substring(0, 16)), s.file());
        }
    }

    private static byte[] sha(byte[] b) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
