package dev.kiln.packager.gguf;

import dev.kiln.packager.ModelFormatException;
import dev.kiln.packager.Shared;
import dev.kiln.packager.TinyLlama;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static dev.kiln.packager.gguf.GgufValueType.*;
import static dev.kiln.packager.gguf.GgufWriter.array;
import static org.junit.jupiter.api.Assertions.*;

class GgufReaderTest {
    @TempDir
    Path tmp;

    @Test
    void v1AndV3FilesOfStories260KHoldTheSameTensorsBitForBit() throws IOException {
        try (GgufFile v1 = GgufFile.open(Shared.stories("tinyllamas-stories-260k-f32.v1.gguf"));
             GgufFile v3 = GgufFile.open(Shared.stories("stories260K.gguf"))) {
            assertEquals(1, v1.version());
            assertEquals(3, v3.version());
            assertEquals(48, v1.tensors().size());
            assertEquals(48, v3.tensors().size());
            for (GgufTensor a : v3.tensors()) {
                GgufTensor b = v1.tensor(a.name()).orElseThrow(() -> new AssertionError("v1 lacks " + a.name()));
                assertArrayEquals(a.ne(), b.ne(), a.name());
                assertEquals(GgmlType.F32, a.type());
                assertArrayEquals(v3.read(a), v1.read(b), a.name() + " differs between v1 and v3");
            }
            assertEquals(v3.strings("tokenizer.ggml.tokens"), v1.strings("tokenizer.ggml.tokens"));
            assertArrayEquals(v3.floats("tokenizer.ggml.scores"), v1.floats("tokenizer.ggml.scores"));
            assertEquals(64, v1.integer("llama.embedding_length"));
            assertEquals(512, v1.integer("llama.context_length"));
            assertEquals(128, v3.integer("llama.context_length"));
        }
    }

    @Test
    void stories260KHeaderMatchesItsKnownLayout() throws IOException {
        try (GgufFile f = GgufFile.open(Shared.stories("stories260K.gguf"))) {
            assertEquals(19, f.metadata().size());
            assertEquals(14176, f.dataOffset(), "data offset published for the upstream file");
            assertEquals(32, f.alignment());
            GgufTensor down = f.tensor("blk.0.ffn_down.weight").orElseThrow();
            assertArrayEquals(new long[] {172, 64}, down.ne());
            assertEquals(UINT32, f.type("tokenizer.ggml.padding_token_id").orElseThrow());
            assertEquals(4294967295L, f.optLong("tokenizer.ggml.padding_token_id").orElseThrow());
        }
    }

    @Test
    void readsTheGpt2VocabularyWithItsFiftyThousandMerges() throws IOException {
        try (GgufFile f = GgufFile.open(Shared.model("tokenizers/ggml-vocab-gpt-2.gguf"))) {
            assertEquals("gpt2", f.string("tokenizer.ggml.model"));
            assertEquals(50257, f.strings("tokenizer.ggml.tokens").size());
            List<String> merges = f.strings("tokenizer.ggml.merges");
            assertEquals(50000, merges.size());
            assertEquals("Ġ t", merges.get(0));
            assertEquals(0, f.tensors().size());
        }
    }

    @ParameterizedTest(name = "GGUF v{0}")
    @ValueSource(ints = {1, 2, 3})
    void readsMetadataOfEveryTypeIncludingNestedArrays(int version) throws IOException {
        GgufArray nested = array(ARRAY, array(INT16, -1L, 2L), array(INT16), array(INT16, 300L));
        Path p = new GgufWriter(version)
                .kv("u8", UINT8, 250L).kv("i8", INT8, -5L).kv("u16", UINT16, 65000L).kv("i16", INT16, -30000L)
                .kv("u32", UINT32, 4000000000L).kv("i32", INT32, -2000000000L).kv("f32", FLOAT32, 1.5f)
                .kv("yes", BOOL, true).kv("no", BOOL, false).kv("s", STRING, "héllo ▁")
                .kv("u64", UINT64, -1L).kv("i64", INT64, Long.MIN_VALUE).kv("f64", FLOAT64, Math.PI)
                .kv("strings", ARRAY, array(STRING, "a", "", "ccc"))
                .kv("nested", ARRAY, nested)
                .kv("empty", ARRAY, array(FLOAT32))
                .write(tmp.resolve("meta.gguf"));
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(version, f.version());
            assertEquals(250L, f.metadata().get("u8"));
            assertEquals(-5L, f.metadata().get("i8"));
            assertEquals(65000L, f.metadata().get("u16"));
            assertEquals(-30000L, f.metadata().get("i16"));
            assertEquals(4000000000L, f.metadata().get("u32"));
            assertEquals(-2000000000L, f.metadata().get("i32"));
            assertEquals(1.5f, f.metadata().get("f32"));
            assertEquals(true, f.metadata().get("yes"));
            assertEquals(false, f.metadata().get("no"));
            assertEquals("héllo ▁", f.string("s"));
            assertEquals(-1L, f.metadata().get("u64"));
            assertEquals(Long.MIN_VALUE, f.metadata().get("i64"));
            assertEquals(Math.PI, f.metadata().get("f64"));
            assertEquals(List.of("a", "", "ccc"), f.strings("strings"));
            assertEquals(nested, f.array("nested"));
            assertEquals(0, f.array("empty").size());
            assertEquals(UINT16, f.type("u16").orElseThrow());
            assertEquals(0, f.tensors().size());
        }
    }

    @Test
    void honoursGeneralAlignment() throws IOException {
        byte[] a = GgufWriter.f32Bytes(new float[] {1, 2, 3});
        byte[] b = GgufWriter.f32Bytes(new float[] {4, 5});
        Path p = new GgufWriter(3).u32("general.alignment", 64)
                .tensor("a", GgmlType.F32, new long[] {3}, a).tensor("b", GgmlType.F32, new long[] {2}, b)
                .write(tmp.resolve("aligned.gguf"));
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(64, f.alignment());
            assertEquals(0, f.dataOffset() % 64);
            assertEquals(f.dataOffset() + 64, f.tensor("b").orElseThrow().offset());
            assertArrayEquals(new float[] {4, 5}, f.readFloats(f.tensor("b").orElseThrow()));
        }
    }

    @Test
    void decodesF16Bf16Q8AndQ4Blocks() throws IOException {
        byte[] f16 = {0x00, 0x3c, 0x00, (byte) 0xc0};                 // 1.0, -2.0
        byte[] bf16 = {(byte) 0x80, 0x3f, 0x40, (byte) 0xc0};         // 1.0, -3.0
        byte[] q8 = new byte[34];
        q8[0] = 0x00; q8[1] = 0x38;                                    // d = 0.5
        for (int j = 0; j < 32; j++) q8[2 + j] = (byte) (j - 16);
        byte[] q4 = new byte[18];
        q4[0] = 0x00; q4[1] = 0x3c;                                    // d = 1
        for (int j = 0; j < 16; j++) q4[2 + j] = (byte) (j | (15 - j) << 4);
        Path p = new GgufWriter(3).tensor("h", GgmlType.F16, new long[] {2}, f16)
                .tensor("bf", GgmlType.BF16, new long[] {2}, bf16)
                .tensor("q8", GgmlType.Q8_0, new long[] {32}, q8).tensor("q4", GgmlType.Q4_0, new long[] {32}, q4)
                .write(tmp.resolve("types.gguf"));
        try (GgufFile f = GgufFile.open(p)) {
            assertArrayEquals(new float[] {1, -2}, f.readFloats(f.tensor("h").orElseThrow()));
            assertArrayEquals(new float[] {1, -3}, f.readFloats(f.tensor("bf").orElseThrow()));
            float[] v8 = f.readFloats(f.tensor("q8").orElseThrow());
            for (int j = 0; j < 32; j++) assertEquals(0.5f * (j - 16), v8[j]);
            float[] v4 = f.readFloats(f.tensor("q4").orElseThrow());
            for (int j = 0; j < 16; j++) {
                assertEquals(j - 8, v4[j], "low nibble is element j");
                assertEquals(15 - j - 8, v4[j + 16], "high nibble is element j+16");
            }
        }
    }

    // ---- malformed files: each error names the problem and where ----

    @Test
    void badMagicIsRefused() throws IOException {
        byte[] b = TinyLlama.writer(3, false, 1).toBytes();
        b[0] = 'X';
        assertError(b, "bad magic", "not a GGUF file");
    }

    @Test
    void unsupportedVersionIsRefused() throws IOException {
        byte[] b = TinyLlama.writer(3, false, 1).toBytes();
        b[4] = 7;
        assertError(b, "unsupported GGUF version 7, expected 1–3");
    }

    @Test
    void absurdTensorCountIsRefused() throws IOException {
        byte[] b = TinyLlama.writer(3, false, 1).toBytes();
        b[8 + 6] = 0x10; // tensor count ~ 2^52
        assertError(b, "tensor count", "impossible");
    }

    @Test
    void absurdStringLengthIsRefusedNamingTheEntry() throws IOException {
        byte[] b = TinyLlama.writer(3, false, 1).toBytes();
        b[24 + 5] = 0x7f; // length of the first key ~ 2^47
        assertError(b, "metadata entry 0", "string length", "impossible");
    }

    @Test
    void unknownValueTypeIsRefusedNamingTheKey() throws IOException {
        Path p = new GgufWriter(3).kv("general.architecture", STRING, "llama").write(tmp.resolve("t.gguf"));
        byte[] b = java.nio.file.Files.readAllBytes(p);
        int typeAt = 24 + 8 + "general.architecture".length();
        b[typeAt] = 42;
        assertError(b, "metadata key 'general.architecture'", "unknown value type 42");
    }

    @Test
    void offsetPastTheEndIsRefusedNamingTheTensor() throws IOException {
        GgufWriter w = TinyLlama.metadata(3).tensor("token_embd.weight", GgmlType.F32.id, TinyLlama.ne(16, 32),
                new byte[16 * 32 * 4], 1L << 20);
        assertError(w.toBytes(), "tensor 'token_embd.weight'", "file ends at");
    }

    @Test
    void misalignedOffsetIsRefusedNamingTheTensor() throws IOException {
        GgufWriter w = new GgufWriter(2).tensor("x", GgmlType.F32.id, new long[] {8}, new byte[32], 4L);
        assertError(w.toBytes(), "tensor 'x'", "not a multiple of the alignment 32");
    }

    @Test
    void overlappingTensorsAreRefused() throws IOException {
        GgufWriter w = new GgufWriter(3).tensor("a", GgmlType.F32, new long[] {32}, new byte[128])
                .tensor("b", GgmlType.F32.id, new long[] {16}, new byte[64], 32L);
        assertError(w.toBytes(), "tensor 'b'", "overlaps tensor 'a'");
    }

    @Test
    void unsupportedTensorTypeIsNamed() throws IOException {
        GgufWriter w = new GgufWriter(3).tensor("blk.0.attn_q.weight", 12, new long[] {256, 1}, new byte[144], null);
        assertError(w.toBytes(), "tensor 'blk.0.attn_q.weight'", "Q4_K (12)", "cannot import");
    }

    @Test
    void rowLengthThatIsNotWholeBlocksIsRefused() throws IOException {
        GgufWriter w = new GgufWriter(3).tensor("w", GgmlType.Q8_0, new long[] {40, 2}, new byte[136]);
        assertError(w.toBytes(), "tensor 'w'", "ne[0]=40", "block size 32");
    }

    @Test
    void zeroDimensionIsRefused() throws IOException {
        GgufWriter w = new GgufWriter(3).tensor("w", GgmlType.F32, new long[] {4, 0}, new byte[0]);
        assertError(w.toBytes(), "tensor 'w'", "not positive");
    }

    @Test
    void truncationAtAnyPointIsAClearError() throws IOException {
        byte[] whole = TinyLlama.writer(1, false, 3).toBytes();
        try (GgufFile ok = GgufFile.open(write(whole))) {
            assertEquals(1, ok.version());
        }
        for (int cut : new int[] {0, 3, 7, 12, 20, 100, 700, whole.length / 2, whole.length - 1}) {
            byte[] b = Arrays.copyOf(whole, cut);
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> GgufFile.open(write(b)).close(),
                    "cut at " + cut);
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("file ends")
                    || e.getMessage().contains("impossible"), "cut at " + cut + ": " + e.getMessage());
        }
    }

    private Path write(byte[] b) throws IOException {
        return java.nio.file.Files.write(tmp.resolve("case.gguf"), b);
    }

    private void assertError(byte[] file, String... parts) throws IOException {
        Path p = write(file);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> GgufFile.open(p).close());
        assertTrue(e.getMessage().startsWith("case.gguf: "), e.getMessage());
        for (String part : parts) assertTrue(e.getMessage().contains(part), "'" + part + "' missing from: " + e.getMessage());
    }
}
