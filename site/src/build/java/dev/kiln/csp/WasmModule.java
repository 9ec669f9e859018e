package dev.kiln.csp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of a WebAssembly module that the CSP build reads: imported functions (by index), exported functions,
 * data segments and function bodies. Other sections are skipped; anything malformed fails with its byte offset.
 */
final class WasmModule {
    private static final int CUSTOM = 0, IMPORT = 2, EXPORT = 7, CODE = 10, DATA = 11;
    private static final int KIND_FUNC = 0, KIND_TABLE = 1, KIND_MEMORY = 2, KIND_GLOBAL = 3, KIND_TAG = 4;

    final byte[] data;
    /** "module.name" of each imported function, in function-index order (imports come first in the index space). */
    final List<String> importedFunctions = new ArrayList<>();
    /** Exported function name → function index. */
    final Map<String, Integer> exportedFunctions = new HashMap<>();
    /** Contents of each data segment: {start, end} offsets into {@link #data}. */
    final List<int[]> dataSegments = new ArrayList<>();
    /** Each defined function's body: {start, end} offsets (start is after the body's size). */
    final List<int[]> bodies = new ArrayList<>();

    private WasmModule(byte[] data) { this.data = data; }

    static WasmModule parse(byte[] data) {
        if (data.length < 8 || data[0] != 0 || data[1] != 'a' || data[2] != 's' || data[3] != 'm') {
            throw new IllegalStateException("kiln.wasm does not start with the WebAssembly magic \\0asm");
        }
        if (data[4] != 1 || data[5] != 0 || data[6] != 0 || data[7] != 0) {
            throw new IllegalStateException("kiln.wasm has binary version " + data[4] + ", expected 1");
        }
        WasmModule m = new WasmModule(data);
        WasmBytes in = new WasmBytes(data, 8);
        while (in.more(data.length)) {
            int id = in.u8();
            int size = in.u32();
            int end = in.pos + size;
            switch (id) {
                case IMPORT -> m.readImports(new WasmBytes(data, in.pos));
                case EXPORT -> m.readExports(new WasmBytes(data, in.pos));
                case CODE -> m.readCode(new WasmBytes(data, in.pos), end);
                case DATA -> m.readData(new WasmBytes(data, in.pos));
                default -> { }
            }
            in.skip(size);
            if (id != CUSTOM && in.pos != end) throw in.fail("section " + id + " overruns its size");
        }
        return m;
    }

    private void readImports(WasmBytes in) {
        int count = in.u32();
        for (int i = 0; i < count; i++) {
            String module = in.name();
            String name = in.name();
            int kind = in.u8();
            switch (kind) {
                case KIND_FUNC -> { in.u32(); importedFunctions.add(module + "." + name); }
                case KIND_TABLE -> { skipRefType(in); skipLimits(in); }
                case KIND_MEMORY -> skipLimits(in);
                case KIND_GLOBAL -> { WasmCode.skipValType(in); in.u8(); }
                case KIND_TAG -> { in.u8(); in.u32(); }
                default -> throw in.fail("import " + module + "." + name + " has unknown kind " + kind);
            }
        }
    }

    private static void skipRefType(WasmBytes in) {
        WasmCode.skipValType(in);
    }

    private static void skipLimits(WasmBytes in) {
        int flags = in.u8();
        in.skipLeb();
        if ((flags & 1) != 0) in.skipLeb();
    }

    private void readExports(WasmBytes in) {
        int count = in.u32();
        for (int i = 0; i < count; i++) {
            String name = in.name();
            int kind = in.u8();
            int index = in.u32();
            if (kind == KIND_FUNC) exportedFunctions.put(name, index);
        }
    }

    private void readCode(WasmBytes in, int sectionEnd) {
        int count = in.u32();
        for (int i = 0; i < count; i++) {
            int size = in.u32();
            bodies.add(new int[] {in.pos, in.pos + size});
            in.skip(size);
        }
        if (in.pos != sectionEnd) throw in.fail("the code section has bytes after its last function body");
    }

    private void readData(WasmBytes in) {
        int count = in.u32();
        for (int i = 0; i < count; i++) {
            int flags = in.u32();
            switch (flags) {
                case 0 -> WasmCode.skipConstExpr(in);
                case 1 -> { }
                case 2 -> { in.u32(); WasmCode.skipConstExpr(in); }
                default -> throw in.fail("data segment " + i + " has unknown flags " + flags);
            }
            int size = in.u32();
            dataSegments.add(new int[] {in.pos, in.pos + size});
            in.skip(size);
        }
    }

    int functionIndex(String importName) {
        return importedFunctions.indexOf(importName);
    }
}
