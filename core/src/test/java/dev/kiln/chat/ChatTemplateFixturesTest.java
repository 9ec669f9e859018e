package dev.kiln.chat;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real chat templates (Qwen2.5, Qwen3, Llama 3.2/3.3, Phi-3.5, Mistral Nemo, Gemma 2, DeepSeek-R1 distill, Hermes 3
 * tool use) × conversations render exactly what Python jinja2 renders with transformers' settings
 * (chat-templates/expected.json, from render_expected.py).
 */
class ChatTemplateFixturesTest {

    @TestFactory
    @SuppressWarnings("unchecked")
    List<DynamicTest> everyFixtureRendersWhatJinja2Renders() {
        Map<String, Object> cases = Fixtures.cases(), expected = Fixtures.expected();
        List<DynamicTest> tests = new ArrayList<>();
        for (Object o : (List<Object>) cases.get("cases")) {
            List<Object> pair = (List<Object>) o;
            String t = (String) pair.get(0), c = (String) pair.get(1), name = t + "/" + c;
            tests.add(DynamicTest.dynamicTest(name, () -> {
                Object want = expected.get(name);
                if (want == null) throw new AssertionError("no expected output for " + name + ": rerun render_expected.py");
                Map<String, Object> tpl = (Map<String, Object>) ((Map<String, Object>) cases.get("templates")).get(t);
                ChatTemplate template = ChatTemplate.parse(Fixtures.template((String) tpl.get("source")));
                ChatInputs in = Fixtures.inputs(cases, t, c);
                if (want instanceof String text) {
                    assertEquals(text, template.render(in).text());
                    return;
                }
                Map<String, Object> err = (Map<String, Object>) want;
                TemplateException e = assertThrows(TemplateException.class, () -> template.render(in));
                assertEquals(((Double) err.get("line")).intValue(), e.line(), "line of: " + e.getMessage());
                if (Boolean.TRUE.equals(err.get("raised"))) {
                    assertEquals(TemplateException.Kind.RAISED, e.kind());
                    assertEquals(err.get("error"), e.detail());
                } else {
                    assertEquals(TemplateException.Kind.RUNTIME, e.kind());
                }
                assertTrue(e.getMessage().startsWith("chat template line " + e.line() + ": "), e.getMessage());
            }));
        }
        return tests;
    }
}
