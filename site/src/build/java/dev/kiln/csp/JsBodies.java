package dev.kiln.csp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads every {@code @JSBody} function out of a TeaVM 0.16 WebAssembly GC module, exactly as the runtime would be
 * asked to build it with {@code new Function}.
 *
 * <p>What TeaVM emits (jso-impl {@code WasmGCJsoCommonGenerator.addJSBody}, core {@code WasmGCStringPool}): the
 * module initializer calls the import {@code teavmJso.createFunctionN} once per JSBody method with N + 1 strings, each
 * passed as {@code global.get $str; call $teavm.stringToJs}. A string constant {@code $str} is a global that the
 * initializer fills from the string pool: one data segment of LEB128-length-prefixed WTF-8 strings, handed over in
 * order as {@code global.get $s0 … global.get $sK; array.new_fixed $stringArray K; call $initStrings}.
 *
 * <p>Every step is checked; a shape that does not match fails naming the byte offset, so a TeaVM upgrade that changes
 * it breaks the build instead of leaving a function out.
 */
final class JsBodies {
    private static final Pattern CREATE_FUNCTION = Pattern.compile("teavmJso\\.createFunction(\\d+)");

    /** The distinct bodies, in the order the module creates them, and how many call sites created them. */
    record Extracted(List<JsBody> bodies, int callSites, int strings) { }

    private JsBodies() { }

    static Extracted extract(byte[] wasm) {
        WasmModule module = WasmModule.parse(wasm);
        Map<Integer, Integer> arityOf = new HashMap<>();   // createFunctionN import index → N
        for (int i = 0; i < module.importedFunctions.size(); i++) {
            Matcher m = CREATE_FUNCTION.matcher(module.importedFunctions.get(i));
            if (m.matches()) arityOf.put(i, Integer.parseInt(m.group(1)));
        }
        List<Code> functions = decodeAll(module);
        if (arityOf.isEmpty()) return new Extracted(List.of(), 0, 0);

        Integer stringToJs = module.exportedFunctions.get("teavm.stringToJs");
        if (stringToJs == null) {
            throw new IllegalStateException("kiln.wasm imports createFunctionN but exports no teavm.stringToJs:"
                    + " not the TeaVM 0.16 WebAssembly GC layout this build step reads");
        }
        Map<Integer, String> strings = stringGlobals(module, functions);

        LinkedHashSet<JsBody> bodies = new LinkedHashSet<>();
        int callSites = 0;
        for (Code f : functions) {
            for (int i = 0; i < f.size; i++) {
                Integer n = f.op[i] == WasmCode.CALL ? arityOf.get(f.a[i]) : null;
                if (n == null) continue;
                callSites++;
                List<String> args = new ArrayList<>();
                for (int k = n + 1; k >= 1; k--) {
                    int get = i - 2 * k, conv = get + 1;
                    String s = get >= 0 && f.op[get] == WasmCode.GLOBAL_GET && f.op[conv] == WasmCode.CALL
                            && f.a[conv] == stringToJs ? strings.get(f.a[get]) : null;
                    if (s == null) {
                        throw new IllegalStateException("kiln.wasm at byte " + f.offset[i] + ": argument "
                                + (n + 1 - k + 1) + " of teavmJso.createFunction" + n + " is not a string constant"
                                + " (global.get of a pooled string, then call teavm.stringToJs); TeaVM changed how"
                                + " it emits @JSBody functions: update dev.kiln.csp.JsBodies");
                    }
                    args.add(s);
                }
                bodies.add(new JsBody(args.subList(0, n), args.get(n)));
            }
        }
        return new Extracted(List.copyOf(bodies), callSites, strings.size());
    }

    /** One decoded function body: parallel arrays of opcode, first two immediates and byte offset. */
    private static final class Code {
        int size;
        int[] op = new int[256], a = new int[256], b = new int[256], offset = new int[256];

        void add(int o, int x, int y, int at) {
            if (size == op.length) {
                op = java.util.Arrays.copyOf(op, size * 2);
                a = java.util.Arrays.copyOf(a, size * 2);
                b = java.util.Arrays.copyOf(b, size * 2);
                offset = java.util.Arrays.copyOf(offset, size * 2);
            }
            op[size] = o; a[size] = x; b[size] = y; offset[size] = at;
            size++;
        }
    }

    private static List<Code> decodeAll(WasmModule module) {
        List<Code> functions = new ArrayList<>();
        for (int[] body : module.bodies) {
            Code code = new Code();
            WasmCode.decodeBody(module.data, body[0], body[1], code::add);
            functions.add(code);
        }
        return functions;
    }

    /**
     * String-constant global → its text. The pool segment is the data segment that parses exactly as
     * length-prefixed WTF-8; the globals are the runs {@code global.get ×K; array.new_fixed T K; call F} whose
     * (T, F) group hands over exactly as many strings as the pool holds, in pool order.
     */
    private static Map<Integer, String> stringGlobals(WasmModule module, List<Code> functions) {
        List<List<String>> pools = new ArrayList<>();
        for (int[] segment : module.dataSegments) {
            List<String> pool = StringPool.parse(module.data, segment[0], segment[1]);
            if (pool != null) pools.add(pool);
        }
        Map<Long, List<Integer>> groups = new LinkedHashMap<>();   // (T, F) → globals, in code order
        for (Code f : functions) {
            for (int i = 0; i + 1 < f.size; i++) {
                if (f.op[i] != WasmCode.ARRAY_NEW_FIXED || f.op[i + 1] != WasmCode.CALL) continue;
                int count = f.b[i];
                if (count == 0 || i < count) continue;
                boolean allGlobals = true;
                for (int j = i - count; j < i && allGlobals; j++) allGlobals = f.op[j] == WasmCode.GLOBAL_GET;
                if (!allGlobals) continue;
                List<Integer> globals = groups.computeIfAbsent(((long) f.a[i] << 32) | f.a[i + 1],
                        k -> new ArrayList<>());
                for (int j = i - count; j < i; j++) globals.add(f.a[j]);
            }
        }
        Map<Integer, String> result = null;
        for (List<String> pool : pools) {
            for (List<Integer> globals : groups.values()) {
                if (globals.size() != pool.size() || new LinkedHashSet<>(globals).size() != globals.size()) continue;
                if (result != null) {
                    throw new IllegalStateException("kiln.wasm: more than one string table matches the string pool"
                            + " of " + pool.size() + " strings; cannot tell which globals are the string constants");
                }
                result = new HashMap<>();
                for (int k = 0; k < pool.size(); k++) result.put(globals.get(k), pool.get(k));
            }
        }
        if (result == null) {
            throw new IllegalStateException("kiln.wasm: found no string pool (" + pools.size() + " candidate data"
                    + " segments) handed to an initializer as array.new_fixed of as many string globals; not the"
                    + " TeaVM 0.16 WebAssembly GC layout this build step reads");
        }
        return result;
    }
}
