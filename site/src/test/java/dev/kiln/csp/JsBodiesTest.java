package dev.kiln.csp;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading @JSBody functions out of TeaVM's WebAssembly GC output, and failing on any shape it does not know. */
class JsBodiesTest {
    @Test
    void readsEachCreateFunctionCallWithItsStrings() {
        byte[] wasm = new TestWasm().pool("x", "return x;", "return 'é—\\n';", "unused")
                .handOverStrings(10, 11, 12, 13)
                .createFunction(10, 11)
                .createFunction(12)
                .createFunction(10, 11)
                .bytes();
        JsBodies.Extracted found = JsBodies.extract(wasm);
        assertEquals(List.of(new JsBody(List.of("x"), "return x;"), new JsBody(List.of(), "return 'é—\\n';")),
                found.bodies());
        assertEquals(3, found.callSites());
        assertEquals(4, found.strings());
    }

    @Test
    void anArgumentThatIsNotAPooledStringFails() {
        byte[] wasm = new TestWasm().pool("x", "return x;").handOverStrings(10, 11)
                .op(0x20, 0x00).call(TestWasm.STRING_TO_JS)   // local.get 0 instead of a string constant
                .globalGet(11).call(TestWasm.STRING_TO_JS).call(TestWasm.CREATE1).op(0x1A)
                .bytes();
        var e = assertThrows(IllegalStateException.class, () -> JsBodies.extract(wasm));
        assertTrue(e.getMessage().contains("argument 1 of teavmJso.createFunction1 is not a string constant"),
                e.getMessage());
    }

    @Test
    void aStringPoolWithoutItsHandOverFails() {
        byte[] wasm = new TestWasm().pool("x", "return x;", "extra").handOverStrings(10, 11).createFunction(10, 11)
                .bytes();
        var e = assertThrows(IllegalStateException.class, () -> JsBodies.extract(wasm));
        assertTrue(e.getMessage().contains("found no string pool"), e.getMessage());
    }

    @Test
    void anInstructionTheDecoderDoesNotKnowFails() {
        byte[] wasm = new TestWasm().pool("x", "return x;").handOverStrings(10, 11)
                .op(0xFD, 0x0C).createFunction(10, 11).bytes();   // a SIMD v128.const: TeaVM does not emit SIMD
        var e = assertThrows(IllegalStateException.class, () -> JsBodies.extract(wasm));
        assertTrue(e.getMessage().contains("opcode 0xfd is not one the decoder knows"), e.getMessage());
    }

    @Test
    void theEnginesOwnBodiesAreFound() throws IOException {
        JsBodies.Extracted found = JsBodies.extract(Files.readAllBytes(Engine.build().resolve("wasm/kiln.wasm")));
        // Engine.now() is @JSBody(script = "return performance.now();"): an expression, which TeaVM keeps as is
        assertTrue(found.bodies().contains(new JsBody(List.of(), "return performance.now();")), found.bodies()::toString);
        assertTrue(found.callSites() >= found.bodies().size() && found.bodies().size() >= 20,
                found.callSites() + " call sites, " + found.bodies().size() + " bodies");
    }

    @Test
    void theModuleWritesEachBodyAsAFunctionWithItsKey() {
        String js = JsBodyModule.render(List.of(new JsBody(List.of("a", "b"), "{return a+b;}")));
        assertTrue(js.contains("  [\"a,b\\u000a{return a+b;}\", function(wrapCallFromJavaToJs, a, b) {\n"
                + "{return a+b;}\n}],\n"), js);
        assertEquals("\"\\\"\\\\ \\u00e9\\u2014\\u2028\"", JsBodyModule.literal("\"\\ é—\u2028"));
        var e = assertThrows(IllegalStateException.class, () -> JsBodyModule.render(
                List.of(new JsBody(List.of(), "return " + JsBodyModule.EXPORT + ";"))));
        assertTrue(e.getMessage().contains("rename it"), e.getMessage());
    }
}
