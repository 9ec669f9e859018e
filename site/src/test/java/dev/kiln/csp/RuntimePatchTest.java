package dev.kiln.csp;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runtime rewrite on TeaVM's real runtime text, and its refusal of any text it does not recognize. */
class RuntimePatchTest {
    static String original() throws IOException {
        return Files.readString(Engine.build().resolve("wasm").resolve(CspBuild.RUNTIME));
    }

    @Test
    void thePatchedRuntimeEvaluatesNoStrings() throws IOException {
        String original = original();
        assertTrue(RuntimePatch.EVALUATION.matcher(original).find(), "the test needs TeaVM's runtime to use new Function");
        String patched = RuntimePatch.patch(original, JsBodyModule.FILE);
        assertFalse(RuntimePatch.EVALUATION.matcher(patched).find());
        assertFalse(patched.contains("new Function"));
        assertFalse(patched.contains("eval("));
        assertTrue(patched.contains("import { " + JsBodyModule.EXPORT + " } from \"./kiln.jsbody.js\";"));
        for (String kind : new String[] {"createFunction", "bindFunction", "callFunction", "callMethod", "construct",
                "arrayOf"}) {
            assertEquals(RuntimePatch.MAX_ARITY, Pattern.compile("teavmJso\\." + kind + "\\d+ = ").matcher(patched)
                    .results().count(), kind + "0…31");
        }
    }

    @Test
    void theSiteServesThePatchedRuntime() throws IOException {
        String served = Files.readString(Engine.site().resolve("engine/wasm").resolve(CspBuild.RUNTIME));
        assertEquals(RuntimePatch.patch(original(), JsBodyModule.FILE), served);
    }

    @Test
    void aChangedBlockFailsNamingIt() throws IOException {
        String changed = original().replace("result = new Function(\"return \" + name + \";\");",
                "result = new Function(\"return (\" + name + \");\");");
        var e = assertThrows(IllegalStateException.class, () -> RuntimePatch.patch(changed, JsBodyModule.FILE));
        assertTrue(e.getMessage().contains("getGlobalName/setGlobalName") && e.getMessage().contains("nowhere"),
                e.getMessage());
    }

    @Test
    void aRepeatedBlockFailsToo() throws IOException {
        String original = original();
        int loop = original.indexOf("  const argumentList = [];");
        String doubled = original.substring(0, loop) + original.substring(loop, original.indexOf("function wrapImport"))
                + original.substring(loop);
        var e = assertThrows(IllegalStateException.class, () -> RuntimePatch.patch(doubled, JsBodyModule.FILE));
        assertTrue(e.getMessage().contains("more than once"), e.getMessage());
    }

    @Test
    void anEvaluationTheRewriteDoesNotKnowFailsWithItsLine() throws IOException {
        String extra = original() + "function later(code) {\n  return eval(code);\n}\n";
        var e = assertThrows(IllegalStateException.class, () -> RuntimePatch.patch(extra, JsBodyModule.FILE));
        assertTrue(e.getMessage().contains("still evaluates strings") && e.getMessage().contains("return eval(code);"),
                e.getMessage());
    }

    @Test
    void theJavaScriptBuildEvaluatesNoStringsEither() throws IOException {
        String js = Files.readString(Engine.build().resolve("js/kiln.js"));
        var m = RuntimePatch.EVALUATION.matcher(js);
        assertFalse(m.find(), () -> "kiln.js evaluates a string: " + js.substring(Math.max(0, m.start() - 60), m.end() + 60));
    }
}
