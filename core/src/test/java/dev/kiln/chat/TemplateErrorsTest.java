package dev.kiln.chat;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TemplateErrorsTest {

    private static TemplateException renderError(String template, ChatInputs in) {
        return assertThrows(TemplateException.class, () -> ChatTemplate.parse(template).render(in));
    }

    private static ChatInputs user(String text) {
        return ChatInputs.of(List.of(Map.of("role", "user", "content", text)), Map.of());
    }

    @Test
    void raiseExceptionFromARealTemplateCarriesItsMessageAndLine() {
        ChatInputs in = ChatInputs.of(List.of(Map.of("role", "system", "content", "s"), Map.of("role", "user", "content", "u")),
                Map.of("bos_token", "<bos>"));
        TemplateException e = renderError(Fixtures.resource("templates/google-gemma-2-2b-it.jinja"), in);
        assertEquals(TemplateException.Kind.RAISED, e.kind());
        assertEquals("System role not supported", e.detail());
        assertEquals("chat template line 1: System role not supported", e.getMessage());
    }

    @Test
    void aMismatchedEndTagIsASyntaxErrorOnItsLine() {
        TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.parse("{% if x %}\nfoo\n{% endfor %}"));
        assertEquals(TemplateException.Kind.SYNTAX, e.kind());
        assertEquals(3, e.line());
        assertTrue(e.getMessage().startsWith("chat template line 3: "), e.getMessage());
    }

    @Test
    void anUnclosedTagIsASyntaxErrorOnTheLineItOpens() {
        TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.parse("a\n{{ x \n\n"));
        assertEquals(TemplateException.Kind.SYNTAX, e.kind());
        assertEquals(2, e.line());
    }

    @Test
    void anIncludeIsUnsupportedAndSaysSo() {
        TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.parse("line one\n{% include 'other.jinja' %}"));
        assertEquals(TemplateException.Kind.UNSUPPORTED, e.kind());
        assertEquals(2, e.line());
        assertTrue(e.detail().contains("include"), e.detail());
    }

    @Test
    void anUnknownFilterIsUnsupportedOnItsLine() {
        TemplateException e = renderError("\n\n{{ messages | wordwrap }}", user("x"));
        assertEquals(TemplateException.Kind.UNSUPPORTED, e.kind());
        assertEquals(3, e.line());
        assertTrue(e.detail().contains("wordwrap"), e.detail());
    }

    @Test
    void anAttributeOfAnUndefinedValueIsAnErrorNamingIt() {
        TemplateException e = renderError("ok\n{{ nothing.here.at_all }}", user("x"));
        assertEquals(TemplateException.Kind.RUNTIME, e.kind());
        assertEquals(2, e.line());
        assertEquals("'nothing' is undefined", e.detail());
    }

    @Test
    void strftimeNowWithoutAClockSaysHowToGiveOne() {
        TemplateException e = renderError("{{ strftime_now('%d %b %Y') }}", user("x"));
        assertTrue(e.detail().contains("ChatInputs.at"), e.detail());
    }

    @Test
    void concatenatingNoneToAStringIsAnErrorNotTheTextNone() {
        TemplateException e = renderError("{{ 'a' + messages[0].content }}",
                ChatInputs.of(List.of(new java.util.HashMap<>(Map.of("role", "user"))), Map.of()));
        assertEquals(TemplateException.Kind.RUNTIME, e.kind());
    }

    @Test
    void breakOutsideAForLoopIsASyntaxError() {
        TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.parse("x\n{% if true %}{% break %}{% endif %}"));
        assertEquals(TemplateException.Kind.SYNTAX, e.kind());
        assertEquals(2, e.line());
    }
}
