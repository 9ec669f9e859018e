package dev.kiln.json;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonLimitsTest {

    @Test
    void aDocumentNestedDeeperThanTheLimitIsATypedErrorNotAStackOverflow() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        JsonLimitException e = assertThrows(JsonLimitException.class, () -> Json.parse(deep));
        assertTrue(e.getMessage().contains("deeper than " + Json.MAX_DEPTH), e.getMessage());
    }

    @Test
    void nestingUpToTheLimitStillParses() {
        String ok = "{\"a\":".repeat(Json.MAX_DEPTH - 1) + "[]" + "}".repeat(Json.MAX_DEPTH - 1);
        Object v = Json.parse(ok);
        for (int k = 0; k < Json.MAX_DEPTH - 1; k++) v = ((java.util.Map<?, ?>) v).get("a");
        assertEquals(java.util.List.of(), v);
    }

    @Test
    void aDocumentLongerThanTheLimitIsRefusedBeforeParsing() {
        String huge = " ".repeat(Json.MAX_LENGTH + 1);
        JsonLimitException e = assertThrows(JsonLimitException.class, () -> Json.parse(huge));
        assertTrue(e.getMessage().contains(String.valueOf(Json.MAX_LENGTH + 1)), e.getMessage());
    }

    @Test
    void aUnicodeEscapeWithoutHexDigitsIsAJsonErrorNamingIt() {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("\"\\u12zz\""));
        assertTrue(e.getMessage().contains("12zz"), e.getMessage());
    }
}
