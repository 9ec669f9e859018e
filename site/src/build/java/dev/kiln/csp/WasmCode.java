package dev.kiln.csp;

/**
 * A decoder for WebAssembly instructions: it walks a function body instruction by instruction (MVP, reference
 * types, bulk memory, tail calls, exception handling and GC — what TeaVM's WebAssembly GC backend emits) and hands
 * each one to a {@link Sink} with its first two immediates. Walking, not byte-searching, is what makes a call site
 * count exact: a byte pattern could also match inside another instruction's immediates.
 * An opcode outside that set fails with its offset rather than being guessed past.
 */
final class WasmCode {
    static final int END = 0x0B, CALL = 0x10, GLOBAL_GET = 0x23;
    /** Prefixed opcodes are numbered prefix·256 + sub-opcode. */
    static final int ARRAY_NEW_FIXED = 0xFB08;

    interface Sink {
        /** One instruction at {@code offset}; {@code a}, {@code b}: its first two index immediates, else -1. */
        void instruction(int op, int a, int b, int offset);
    }

    private WasmCode() { }

    /** Decodes one function body (locals, then instructions up to its final {@code end}). */
    static void decodeBody(byte[] data, int start, int end, Sink sink) {
        WasmBytes in = new WasmBytes(data, start);
        int groups = in.u32();
        for (int i = 0; i < groups; i++) {
            in.u32();
            skipValType(in);
        }
        int depth = 1;
        while (depth > 0) {
            if (!in.more(end)) throw in.fail("function body ends inside an open block");
            int offset = in.pos;
            int op = in.u8();
            int a = -1, b = -1;
            switch (op) {
                case 0x02, 0x03, 0x04, 0x06 -> { skipBlockType(in); depth++; }          // block loop if try
                case 0x1F -> { skipBlockType(in); skipCatches(in); depth++; }           // try_table
                case END -> depth--;
                case 0x00, 0x01, 0x05, 0x0A, 0x0F, 0x19, 0x1A, 0x1B, 0xD1, 0xD3, 0xD4 -> { }
                case 0x07, 0x08, 0x09, 0x0C, 0x0D, 0xD5, 0xD6 -> a = in.u32();         // tag or label
                case 0x18 -> { a = in.u32(); depth--; }                                // delegate closes a try
                case 0x0E -> { int n = in.u32(); for (int i = 0; i <= n; i++) in.u32(); }  // br_table
                case CALL, 0x12, 0x14, 0x15, 0xD2 -> a = in.u32();                     // call, ref.func
                case 0x11, 0x13 -> { a = in.u32(); b = in.u32(); }                     // call_indirect
                case 0x1C -> { int n = in.u32(); for (int i = 0; i < n; i++) skipValType(in); }
                case 0x20, 0x21, 0x22, GLOBAL_GET, 0x24, 0x25, 0x26 -> a = in.u32();   // locals, globals, tables
                case 0x3F, 0x40 -> in.u32();                                           // memory.size/grow
                case 0x41, 0x42 -> in.skipLeb();                                       // i32/i64.const
                case 0x43 -> in.skip(4);
                case 0x44 -> in.skip(8);
                case 0xD0 -> in.skipLeb();                                             // ref.null ht
                case 0xFB -> { op = 0xFB00 | in.u32(); int[] ab = gc(in, op); a = ab[0]; b = ab[1]; }
                case 0xFC -> { op = 0xFC00 | in.u32(); misc(in, op); }
                default -> {
                    if (op >= 0x28 && op <= 0x3E) skipMemArg(in);                       // loads and stores
                    else if (op < 0x45 || op > 0xC4) throw new IllegalStateException("kiln.wasm at byte " + offset
                            + ": opcode 0x" + Integer.toHexString(op) + " is not one the decoder knows; extend"
                            + " dev.kiln.csp.WasmCode (a TeaVM upgrade emits new instructions)");
                }
            }
            sink.instruction(op, a, b, offset);
        }
        if (in.pos != end) throw in.fail("function body has bytes after its final end");
    }

    private static int[] gc(WasmBytes in, int op) {
        int sub = op & 0xFF;
        int a = -1, b = -1;
        switch (sub) {
            case 0, 1, 6, 7, 11, 12, 13, 14, 16 -> a = in.u32();                      // one type index
            case 2, 3, 4, 5, 8, 9, 10, 17, 18, 19 -> { a = in.u32(); b = in.u32(); }  // type + field/count/type/seg
            case 15, 26, 27, 28, 29, 30 -> { }                                         // array.len, conversions, i31
            case 20, 21, 22, 23 -> in.skipLeb();                                       // ref.test/cast ht
            case 24, 25 -> { in.u8(); in.u32(); in.skipLeb(); in.skipLeb(); }          // br_on_cast(_fail)
            default -> throw in.fail("GC opcode 0xfb " + sub + " is not one the decoder knows");
        }
        return new int[] {a, b};
    }

    private static void misc(WasmBytes in, int op) {
        int sub = op & 0xFF;
        switch (sub) {
            case 0, 1, 2, 3, 4, 5, 6, 7 -> { }                                         // trunc_sat
            case 8, 10, 12, 14 -> { in.u32(); in.u32(); }
            case 9, 11, 13, 15, 16, 17 -> in.u32();
            default -> throw in.fail("opcode 0xfc " + sub + " is not one the decoder knows");
        }
    }

    private static void skipMemArg(WasmBytes in) {
        int align = in.u32();
        if ((align & 0x40) != 0) in.u32();   // multi-memory: a memory index follows
        in.skipLeb();
    }

    /** Block type: 0x40 (empty), a one-byte value type, a reference type with a heap type, or a type index. */
    private static void skipBlockType(WasmBytes in) {
        int first = in.data[in.pos] & 0xFF;
        if (first == 0x63 || first == 0x64) { in.u8(); in.skipLeb(); }
        else if (first >= 0x40 && first <= 0x7F) in.u8();
        else in.skipLeb();
    }

    private static void skipCatches(WasmBytes in) {
        int n = in.u32();
        for (int i = 0; i < n; i++) {
            int kind = in.u8();
            if (kind == 0 || kind == 1) in.u32();
            else if (kind != 2 && kind != 3) throw in.fail("try_table catch kind " + kind + " is unknown");
            in.u32();
        }
    }

    /** A value type: one byte, or 0x63/0x64 (ref null / ref) followed by a heap type. */
    static void skipValType(WasmBytes in) {
        int t = in.u8();
        if (t == 0x63 || t == 0x64) in.skipLeb();
    }

    /** A constant expression (data segment offsets, global initializers): instructions up to its {@code end}. */
    static void skipConstExpr(WasmBytes in) {
        while (true) {
            int op = in.u8();
            switch (op) {
                case END -> { return; }
                case 0x41, 0x42, 0xD0 -> in.skipLeb();
                case 0x43 -> in.skip(4);
                case 0x44 -> in.skip(8);
                case GLOBAL_GET, 0xD2 -> in.u32();
                case 0x6A, 0x6B, 0x6C, 0x7C, 0x7D, 0x7E -> { }                          // extended const
                case 0xFB -> gc(in, 0xFB00 | in.u32());
                default -> throw in.fail("opcode 0x" + Integer.toHexString(op) + " in a constant expression");
            }
        }
    }
}
