package dev.kiln.csp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Hand-assembled modules in the shape TeaVM emits for @JSBody: imports createFunction0/1, exports teavm.stringToJs
 * (function 2), a stub initStrings (function 3) and an initializer (function 4) whose code the test writes, plus a
 * string-pool data segment. Only the sections the reader looks at; the module need not validate.
 */
final class TestWasm {
    static final int CREATE0 = 0, CREATE1 = 1, STRING_TO_JS = 2, INIT_STRINGS = 3;

    private final ByteArrayOutputStream init = new ByteArrayOutputStream();
    private final List<String> pool = new ArrayList<>();

    TestWasm pool(String... strings) { pool.addAll(List.of(strings)); return this; }

    TestWasm op(int... bytes) { for (int b : bytes) init.write(b); return this; }

    TestWasm globalGet(int g) { return op(0x23).leb(g); }

    TestWasm call(int f) { return op(0x10).leb(f); }

    /** global.get of each string global, array.new_fixed $strings n, call initStrings: TeaVM's pool hand-over. */
    TestWasm handOverStrings(int... globals) {
        for (int g : globals) globalGet(g);
        return op(0xFB, 0x08).leb(7).leb(globals.length).call(INIT_STRINGS);
    }

    /** createFunctionN(stringToJs($g…)) then drop. */
    TestWasm createFunction(int... globals) {
        for (int g : globals) globalGet(g).call(STRING_TO_JS);
        return call(globals.length == 1 ? CREATE0 : CREATE1).op(0x1A);
    }

    TestWasm leb(int v) {
        do {
            int b = v & 0x7F;
            v >>>= 7;
            init.write(v != 0 ? b | 0x80 : b);
        } while (v != 0);
        return this;
    }

    byte[] bytes() {
        Bytes module = new Bytes().raw(0, 'a', 's', 'm', 1, 0, 0, 0);
        module.section(2, new Bytes().leb(2)
                .name("teavmJso").name("createFunction0").raw(0).leb(0)
                .name("teavmJso").name("createFunction1").raw(0).leb(0));
        module.section(7, new Bytes().leb(1).name("teavm.stringToJs").raw(0).leb(STRING_TO_JS));
        Bytes stub = new Bytes().leb(0).raw(0x0B);
        Bytes initializer = new Bytes().leb(0).raw(init.toByteArray()).raw(0x0B);
        module.section(10, new Bytes().leb(3).sized(stub).sized(stub).sized(initializer));
        Bytes strings = new Bytes();
        for (String s : pool) {
            strings.leb(s.length());
            for (char c : s.toCharArray()) {
                if (c < 0x80) strings.raw(c);
                else if (c < 0x800) strings.raw(0xC0 | c >> 6, 0x80 | c & 0x3F);
                else strings.raw(0xE0 | c >> 12, 0x80 | (c >> 6) & 0x3F, 0x80 | c & 0x3F);
            }
        }
        module.section(11, new Bytes().leb(1).raw(0x00, 0x41, 0x00, 0x0B).sized(strings));
        return module.out.toByteArray();
    }

    private static final class Bytes {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes raw(int... bytes) { for (int b : bytes) out.write(b); return this; }

        Bytes raw(byte[] bytes) { out.writeBytes(bytes); return this; }

        Bytes leb(int v) {
            do {
                int b = v & 0x7F;
                v >>>= 7;
                out.write(v != 0 ? b | 0x80 : b);
            } while (v != 0);
            return this;
        }

        Bytes name(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return leb(b.length).raw(b);
        }

        Bytes sized(Bytes content) { return leb(content.out.size()).raw(content.out.toByteArray()); }

        Bytes section(int id, Bytes content) { return raw(id).sized(content); }
    }
}
