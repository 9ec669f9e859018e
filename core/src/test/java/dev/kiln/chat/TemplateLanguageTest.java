package dev.kiln.chat;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Each language feature the real templates use (loops and loop.*, namespaces, macros, tests, filters, slicing,
 * whitespace control, Python printing of values ...), as a small snippet rendered against Python jinja2's output
 * (the "snippets" of chat-templates/cases.json, expected.json's "snippet/..." entries).
 */
class TemplateLanguageTest {

    @TestFactory
    @SuppressWarnings("unchecked")
    List<DynamicTest> everySnippetRendersWhatJinja2Renders() {
        Map<String, Object> cases = Fixtures.cases(), expected = Fixtures.expected();
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, Object> e : ((Map<String, Object>) cases.get("snippets")).entrySet()) {
            Map<String, Object> snippet = (Map<String, Object>) e.getValue();
            tests.add(DynamicTest.dynamicTest(e.getKey(), () -> {
                ChatInputs in = new ChatInputs(List.of(), null, null, true, Map.of(),
                        (Map<String, Object>) Fixtures.ints(snippet.get("vars")), new WallTime(2026, 12, 7, 9, 5, 3));
                String got = ChatTemplate.parse((String) snippet.get("template")).render(in).text();
                assertEquals(expected.get("snippet/" + e.getKey()), got);
            }));
        }
        return tests;
    }

    /** One-line templates (Python semantics of values, operators, filters, tests, whitespace and errors). */
    @TestFactory
    @SuppressWarnings("unchecked")
    List<DynamicTest> everyExpressionRendersOrFailsAsJinja2Does() {
        Map<String, Object> cases = Fixtures.cases(), expected = Fixtures.expected();
        Map<String, Object> ex = (Map<String, Object>) cases.get("expressions");
        Map<String, Object> vars = (Map<String, Object>) Fixtures.ints(ex.get("vars"));
        Map<String, Object> extra = new java.util.LinkedHashMap<>(vars);
        extra.remove("messages");
        List<Object> templates = (List<Object>) ex.get("templates");
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < templates.size(); i++) {
            String source = (String) templates.get(i);
            Object want = expected.get("expr/" + i);
            tests.add(DynamicTest.dynamicTest(i + ": " + source, () -> {
                ChatInputs in = new ChatInputs((List<?>) vars.get("messages"), null, null, true, Map.of(), extra,
                        new WallTime(2026, 12, 7, 9, 5, 3));
                if (want instanceof String text) {
                    assertEquals(text, ChatTemplate.parse(source).render(in).text());
                } else {
                    assertThrows(TemplateException.class, () -> ChatTemplate.parse(source).render(in), "jinja2: " + want);
                }
            }));
        }
        return tests;
    }
}
