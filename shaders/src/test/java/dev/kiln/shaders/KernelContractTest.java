package dev.kiln.shaders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.model.DType;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Parses every {@code .wgsl} file and checks it against the Java descriptors: bindings (slot, name, access, type)
 * against {@link Kernel#bindings()}, {@code struct Params} fields (name, order, type) against the {@link Params}
 * record, {@code Step}, the workgroup size, the header, and the preprocessor's composition. No GPU needed.
 */
class KernelContractTest {
    private static final Pattern BINDING = Pattern.compile(
            "@group\\(0\\) @binding\\((\\d+)\\) var<(storage, read_write|storage, read|uniform)> (\\w+): ([\\w<>]+);");
    private static final Pattern STRUCT_FIELD = Pattern.compile("^\\s*(\\w+): (\\w+),");
    private static final Pattern WG_CONST = Pattern.compile("const WG: u32 = (\\d+)u;");
    private static final Map<Kernel, Class<? extends Params>> MIRRORS = new LinkedHashMap<>();

    static {
        MIRRORS.put(Kernel.EMBED, Params.Embed.class);
        MIRRORS.put(Kernel.RMS_NORM, Params.RmsNorm.class);
        MIRRORS.put(Kernel.MAT_VEC, Params.MatVec.class);
        MIRRORS.put(Kernel.MAT_VEC_QKV, Params.MatVecQkv.class);
        MIRRORS.put(Kernel.QKV_BIAS, Params.QkvBias.class);
        MIRRORS.put(Kernel.QK_NORM, Params.QkNorm.class);
        MIRRORS.put(Kernel.ROPE, Params.Rope.class);
        MIRRORS.put(Kernel.ATTENTION, Params.Attention.class);
        MIRRORS.put(Kernel.ATTENTION_COMBINE, Params.AttentionCombine.class);
        MIRRORS.put(Kernel.MAT_MUL, Params.MatMul.class);
        MIRRORS.put(Kernel.CAUSAL_ATTENTION, Params.CausalAttention.class);
        MIRRORS.put(Kernel.SILU_MUL, Params.SiluMul.class);
        MIRRORS.put(Kernel.SOFTMAX, Params.Softmax.class);
        MIRRORS.put(Kernel.ARGMAX, Params.Argmax.class);
        MIRRORS.put(Kernel.TOP_K, Params.TopK.class);
    }

    @ParameterizedTest
    @EnumSource(Kernel.class)
    void bindingsInTheWgslMatchTheJavaList(Kernel k) {
        String text = Wgsl.file(k.fileName());
        List<Binding> found = new ArrayList<>();
        Matcher m = BINDING.matcher(text);
        while (m.find()) {
            Binding.Access a = switch (m.group(2)) {
                case "storage, read" -> Binding.Access.READ;
                case "storage, read_write" -> Binding.Access.READ_WRITE;
                default -> Binding.Access.UNIFORM;
            };
            found.add(new Binding(Integer.parseInt(m.group(1)), m.group(3), a, m.group(4), ""));
        }
        List<Binding> expected = k.bindings();
        assertEquals(expected.size(), found.size(), k + ": bindings in the WGSL " + found);
        for (int i = 0; i < expected.size(); i++) {
            Binding e = expected.get(i), f = found.get(i);
            assertEquals(i, e.slot(), k + ": Java slots are 0, 1, 2, … in order");
            assertEquals(List.of(e.slot(), e.name(), e.access(), e.type()), List.of(f.slot(), f.name(), f.access(), f.type()),
                    k + " binding " + i);
        }
        Binding last = expected.get(expected.size() - 1);
        assertEquals("Params", last.type(), k + ": Params is the last binding");
        assertEquals(Binding.Access.UNIFORM, last.access());
        int step = -1;
        for (Binding b : expected) if (b.type().equals("Step")) step = b.slot();
        if (step >= 0) assertEquals(expected.size() - 2, step, k + ": Step is bound just before Params");
    }

    @ParameterizedTest
    @EnumSource(Kernel.class)
    void paramsFieldsMatchTheJavaMirrorInNameOrderAndType(Kernel k) {
        List<String> wgsl = structFields(Wgsl.file(k.fileName()), "Params");
        List<String> java = new ArrayList<>();
        for (RecordComponent c : MIRRORS.get(k).getRecordComponents()) {
            Class<?> t = c.getType();
            String type = t == float.class ? "f32" : (t == int.class || t == boolean.class || t.isEnum()) ? "u32" : "?" + t;
            java.add(c.getName() + ": " + type);
        }
        assertEquals(java, wgsl, k + ": struct Params vs " + MIRRORS.get(k).getSimpleName());
        for (String f : wgsl) assertTrue(f.endsWith("u32") || f.endsWith("f32"), "4-byte scalars only: " + f);
    }

    @ParameterizedTest
    @EnumSource(Kernel.class)
    void stepIsOnePositionAndTheWorkgroupSizeMatches(Kernel k) {
        String text = Wgsl.file(k.fileName());
        if (k.usesStep()) assertEquals(List.of("pos: u32", "rows: u32"), structFields(text, "Step"), k + ": struct Step");
        else assertFalse(text.contains("struct Step"), k + " declares Step without binding it");
        Matcher m = WG_CONST.matcher(text);
        assertTrue(m.find(), k + ": const WG: u32 = …u;");
        assertEquals(k.workgroupSize(), Integer.parseInt(m.group(1)), k + ": workgroup size");
        assertTrue(text.contains("@compute @workgroup_size(WG)\nfn main("), k + ": entry point main with @workgroup_size(WG)");
    }

    @ParameterizedTest
    @EnumSource(Kernel.class)
    void theHeaderNamesRoleReferenceThreadsAndPrecisionAndTheFileIsShort(Kernel k) {
        String text = Wgsl.file(k.fileName());
        assertTrue(text.startsWith("// " + k.name() + " — "), k + ": the first line names the role and its formula");
        for (String part : List.of("// Reference: ", "// Threads: ", "// Precision: ", "// Bindings:")) {
            assertTrue(text.contains(part), k + ": header lacks '" + part + "'");
        }
        assertTrue(text.split("\n").length <= 150, k + ": over 150 lines");
    }

    @ParameterizedTest
    @EnumSource(Kernel.class)
    void workgroupTreesLiveOnlyInTheReductionPrelude(Kernel k) {
        String text = Wgsl.file(k.fileName());
        assertFalse(text.contains("for (var s = WG / 2u"), k + " writes its own tree reduction: call reduce_* instead");
        assertEquals(k.tiles(), text.contains("var<workgroup>"),
                k + ": only a tiling kernel (Kernel.tiles()) declares workgroup memory; the reduction prelude owns the rest");
        boolean calls = text.contains("reduce_sum(") || text.contains("reduce_max(") || text.contains("reduce_best(")
                || text.contains("dot_rows("); // the row-dot prelude reduces for its kernels
        assertEquals(k.dotsRows(), text.contains("dot_rows("), k + ": Kernel.dotsRows() says whether the file calls dot_rows");
        assertEquals(k.reduces(), calls, k + ": Kernel.reduces() says whether the file calls the reduction prelude");
        String prelude = Wgsl.file(Wgsl.REDUCE_PRELUDE);
        assertFalse(prelude.contains("@binding") || prelude.contains("\nconst WG"), "the prelude binds nothing and uses the kernel's WG");
        String rows = Wgsl.file(Wgsl.ROWS_PRELUDE);
        assertFalse(rows.contains("@binding") || rows.contains("\nconst WG") || rows.contains("var<workgroup>"),
                "the row-dot prelude binds nothing, uses the kernel's WG and the reduction prelude's memory");
    }

    @Test
    void everyWeightPreludeDefinesTheSameFunctions() {
        for (DType t : DType.values()) {
            String text = Wgsl.file(Wgsl.weightPrelude(t));
            assertTrue(text.contains("fn w_at(e: u32, scales: u32) -> f32"), t + ": w_at");
            assertTrue(text.contains("fn w_dot8(e: u32, scales: u32, xa: vec4<f32>, xb: vec4<f32>) -> f32"), t + ": w_dot8");
            assertTrue(text.contains("fn w_dot16(e: u32, scales: u32, x0: vec4<f32>, x1: vec4<f32>, x2: vec4<f32>, "
                    + "x3: vec4<f32>) -> f32"), t + ": w_dot16");
            assertTrue(text.contains("fn w_unpack8(e: u32, scales: u32) -> array<vec4<f32>, 2>"), t + ": w_unpack8");
            assertFalse(text.contains("@binding"), t + ": a prelude declares no bindings");
        }
    }

    @Test
    void attentionChunksAndHeadsMatchTheJavaConstants() {
        for (String file : List.of("attention.wgsl", "attention_combine.wgsl")) {
            assertTrue(Wgsl.file(file).contains("const CHUNK: u32 = " + Params.Attention.CHUNK + "u;"), file + ": CHUNK");
        }
        assertTrue(Wgsl.file("attention.wgsl").contains("const MAX_HEAD: u32 = " + Params.Attention.MAX_HEAD_SIZE + "u;"));
        String rotary = Wgsl.file(Wgsl.ROTARY_PRELUDE);
        assertFalse(rotary.contains("@binding") || rotary.contains("var<workgroup>"), "the rotary prelude binds nothing");
        for (Kernel k : Kernel.values()) {
            assertEquals(k.rotates(), Wgsl.file(k.fileName()).contains("rotation("), k + ": Kernel.rotates() says whether it rotates");
        }
    }

    @Test
    void theSubgroupReductionPreludeDefinesWhatTheSharedMemoryOneDoes() {
        String shared = Wgsl.file(Wgsl.REDUCE_PRELUDE), sub = Wgsl.file(Wgsl.SUBGROUP_REDUCE_PRELUDE);
        Matcher m = Pattern.compile("\nfn (\\w+\\([^)]*\\) -> \\w+)").matcher(shared);
        int n = 0;
        while (m.find()) {
            assertTrue(sub.contains("\nfn " + m.group(1)), "reduce_subgroups.wgsl lacks fn " + m.group(1));
            n++;
        }
        assertEquals(5, n, "reduce_sum, reduce_sum4, reduce_max, beats, reduce_best");
        assertFalse(sub.contains("@binding") || sub.contains("\nconst WG"), "the prelude binds nothing and uses the kernel's WG");
        for (Kernel k : Kernel.values()) {
            String text = Wgsl.source(k, Precision.F16, DType.Q4, true, null);
            assertEquals(k.reduces(), text.startsWith("enable subgroups;\nenable f16;\n"), k + ": enable lines first");
            assertEquals(k.reduces(), text.contains(sub), k + ": the subgroup prelude only where a kernel reduces");
            assertFalse(text.contains(shared), k + ": never both preludes");
        }
    }

    @Test
    void theSourceIsPrecisionPreludeThenWeightPreludeThenReductionPreludeThenKernel() {
        String f16 = Wgsl.source(Kernel.MAT_VEC, Precision.F16, DType.Q4);
        assertEquals("enable f16;\nalias kv = f16;\n" + Wgsl.file("weights_q4.wgsl") + Wgsl.file("reduce.wgsl")
                + Wgsl.file("mat_vec_team.wgsl") + Wgsl.file("mat_vec_rows.wgsl") + Wgsl.file("mat_vec.wgsl"), f16);
        assertEquals("enable subgroups;\nalias kv = f32;\n" + Wgsl.file("weights_q8.wgsl") + Wgsl.file("reduce_subgroups.wgsl")
                + Wgsl.file("mat_vec_team_subgroups.wgsl") + Wgsl.file("mat_vec_rows.wgsl") + Wgsl.file("mat_vec_qkv.wgsl"),
                Wgsl.source(Kernel.MAT_VEC_QKV, Precision.F32, DType.Q8, true, null));
        String f32 = Wgsl.source(Kernel.ATTENTION, Precision.F32, null);
        assertEquals("alias kv = f32;\n" + Wgsl.file("reduce.wgsl") + Wgsl.file("rotary.wgsl") + Wgsl.file("attention.wgsl"), f32);
        assertEquals("alias kv = f32;\n" + Wgsl.file("rotary.wgsl") + Wgsl.file("rope.wgsl"), Wgsl.source(Kernel.ROPE, Precision.F32, null));
        assertEquals("alias kv = f32;\n" + Wgsl.file("attention_combine.wgsl"),
                Wgsl.source(Kernel.ATTENTION_COMBINE, Precision.F32, null));
        for (Kernel k : Kernel.values()) {
            for (DType t : DType.values()) {
                assertFalse(Wgsl.source(k, Precision.F32, t).contains("f16;"), k + " F32 must not need shader-f16");
            }
        }
    }

    @Test
    void paramsBytesAreLittleEndianFieldsPaddedTo16() {
        byte[] b = Params.MatVec.of(DType.Q4, 3, 64, true).bytes();
        assertEquals(48, b.length); // ten fields, padded to 16
        // rows, cols, mode 1 (accumulate), norm 0, eps 0, aStart 0, aScales: after 3·64/2 = 96 bytes = word 24, …,
        // teams 1
        assertEquals(List.of(3, 64, 1, 0, 0, 0, 24, 0, 0, 1, 0, 0), words(b));
        assertEquals(List.of(3, 64, 3, 0, 0, 0, 24, 0, 0, 1, 0, 0), words(Params.MatVec.gated(DType.Q4, 3, 64).bytes()));
        // the pair: w3 at word 64 of the range, w1 at 0; q4 starts are element indices (8 per word); 8 teams
        assertEquals(List.of(3, 64, 2, 1, Float.floatToRawIntBits(1e-5f), 0, 24, 512, 64 + 24 - 8, 8, 0, 0),
                words(Params.MatVec.pair(DType.Q4, 3, 64, 0, 64, true, 1e-5f).withTeams(8).bytes()));
        byte[] r = new Params.Rope(8, 4, 8, dev.kiln.model.RopeStyle.HALF_SPLIT, 123, 1.5f).bytes();
        assertEquals(32, r.length);
        assertEquals(List.of(8, 4, 8, 1, 123, Float.floatToRawIntBits(1.5f), 1, 0), words(r));
        assertEquals(List.of(7, 1, 0, 0), words(StepUniform.bytes(7)));
        assertEquals(List.of(7, 64, 0, 0), words(StepUniform.block(7, 64)));
    }

    @Test
    void workgroupsSpreadOverYPast65535() {
        assertEquals(List.of(65535, 1, 1), List.of(box(Workgroups.spread(65535))));
        assertEquals(List.of(32768, 2, 1), List.of(box(Workgroups.spread(65536))));
        int[] w = Params.MatVec.of(DType.F32, 200_003, 8, false).workgroups();
        assertTrue(4L * w[0] * w[1] >= 200_003 && w[0] <= 65535 && w[2] == 1, "four rows per workgroup");
        int[] pair = Params.MatVec.pair(DType.F32, 200_003, 8, 0, 1_600_064, false, 0f).workgroups();
        assertTrue(2L * pair[0] * pair[1] >= 200_003, "two outputs per workgroup in the SwiGLU pair");
    }

    @Test
    void matMulTilesAre64OutputsBy32Rows() {
        assertEquals(List.of(14, 1, 1), List.of(box(Params.MatMul.of(DType.Q4, 64, 896, 896, false).workgroups())));
        assertEquals(List.of(14, 2, 1), List.of(box(Params.MatMul.of(DType.Q4, 65, 896, 896, false).workgroups())));
        assertEquals(List.of(1, 1, 1), List.of(box(Params.MatMul.of(DType.F32, 1, 3, 5, true).workgroups())));
    }

    private static Integer[] box(int[] v) {
        Integer[] b = new Integer[v.length];
        for (int i = 0; i < v.length; i++) b[i] = v[i];
        return b;
    }

    private static List<Integer> words(byte[] b) {
        List<Integer> w = new ArrayList<>();
        for (int i = 0; i < b.length; i += 4) {
            w.add((b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24);
        }
        return w;
    }

    /** "name: type" of each field of {@code struct <name> { … }}. */
    private static List<String> structFields(String text, String name) {
        int start = text.indexOf("struct " + name + " {");
        assertTrue(start >= 0, "struct " + name + " not found");
        String body = text.substring(text.indexOf('{', start) + 1, text.indexOf('}', start));
        List<String> fields = new ArrayList<>();
        for (String line : body.split("\n")) {
            Matcher m = STRUCT_FIELD.matcher(line);
            if (m.find()) fields.add(m.group(1) + ": " + m.group(2));
        }
        return fields;
    }
}
