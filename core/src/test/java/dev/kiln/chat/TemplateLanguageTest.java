package dev.kiln.chat;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
