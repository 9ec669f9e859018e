package dev.kiln.generate;

import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerationRequestTest {

    @Test
    void aRequestSurvivesTheJsonRoundTrip() {
        GenerationRequest r = GenerationRequest.of("Once upon a time \"quoted\"\n").withMaxTokens(16).withTemperature(0.8f)
                .withTopK(7).withTopP(0.9f).withSeed(MAX_SAFE).withIgnoreEos(true);
        assertEquals(r, GenerationRequest.fromJson(r.toJson()));
        GenerationRequest ids = GenerationRequest.ofIds(new int[]{1, 403, 407}).withSeed(42);
        assertEquals(ids, GenerationRequest.fromJson(ids.toJson()));
    }

    private static final long MAX_SAFE = GenerationRequest.MAX_SEED;

    @Test
    void onlyThePromptIsRequiredAndEveryOtherFieldTakesTheOneDefault() {
        GenerationRequest r = GenerationRequest.fromJson("{\"prompt\": \"hi\"}");
        assertEquals(GenerationRequest.of("hi"), r);
        assertEquals(128, r.maxTokens());
        assertEquals(0f, r.temperature());
        assertEquals(40, r.topK());
        assertEquals(0.95f, r.topP());
        assertEquals(0, r.seed());
        assertEquals(false, r.ignoreEos());
        assertTrue(r.greedy(), "the default is greedy");
    }

    @Test
    void theJsonUsesOpenAiFieldNamesAndShortDecimals() {
        JsonObject o = JsonObject.of(Json.parse(GenerationRequest.of("x").withTemperature(0.8f).toJson()), "r");
        assertEquals("x", o.string("prompt"));
        assertEquals(128, o.integer("max_tokens"));
        assertEquals(40, o.integer("top_k"));
        assertTrue(GenerationRequest.of("x").withTemperature(0.8f).toJson().contains("\"temperature\":0.8,"));
        assertTrue(GenerationRequest.of("x").toJson().contains("\"top_p\":0.95,"));
    }

    @Test
    void promptIdsAreTakenAsTheyAreInsteadOfTheText() {
        GenerationRequest r = GenerationRequest.fromJson("{\"prompt_ids\": [1, 403, 407], \"max_tokens\": 4}");
        assertNull(r.prompt());
        assertArrayEquals(new int[]{1, 403, 407}, r.promptIds());
    }

    @Test
    void outOfRangeValuesAreInputErrorsNamingTheParameter() {
        assertInvalid("max_tokens", "{\"prompt\": \"x\", \"max_tokens\": 0}");
        assertInvalid("temperature", "{\"prompt\": \"x\", \"temperature\": -0.5}");
        assertInvalid("top_k", "{\"prompt\": \"x\", \"top_k\": -1}");
        assertInvalid("top_p", "{\"prompt\": \"x\", \"top_p\": 0}");
        assertInvalid("top_p", "{\"prompt\": \"x\", \"top_p\": 1.5}");
        assertInvalid("seed", "{\"prompt\": \"x\", \"seed\": -1}");
        assertInvalid("seed", "{\"prompt\": \"x\", \"seed\": 1.5}");
        assertInvalid("prompt_ids", "{\"prompt_ids\": [1, -2]}");
        assertInvalid("prompt_ids", "{\"prompt_ids\": []}");
    }

    @Test
    void wrongTypesAreInputErrorsNamingTheParameter() {
        assertInvalid("max_tokens", "{\"prompt\": \"x\", \"max_tokens\": 2.5}");
        assertInvalid("max_tokens", "{\"prompt\": \"x\", \"max_tokens\": \"16\"}");
        assertInvalid("ignore_eos", "{\"prompt\": \"x\", \"ignore_eos\": 1}");
        assertInvalid("prompt", "{\"prompt\": 5}");
    }

    @Test
    void aRequestNeedsExactlyOneOfPromptAndPromptIds() {
        assertInvalid("prompt", "{\"max_tokens\": 4}");
        assertInvalid("prompt", "{\"prompt\": \"x\", \"prompt_ids\": [1]}");
        assertInvalid("prompt", "");
    }

    @Test
    void anUnknownFieldIsAnErrorNotIgnored() {
        assertInvalid("max_token", "{\"prompt\": \"x\", \"max_token\": 4}");
    }

    @Test
    void theBuilderValidatesLikeTheJson() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> GenerationRequest.of("x").withTopP(2f));
        assertEquals("top_p", e.parameter());
    }

    private static void assertInvalid(String parameter, String json) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> GenerationRequest.fromJson(json), json);
        assertEquals(parameter, e.parameter(), e.getMessage());
        assertTrue(e.getMessage().contains(parameter), e.getMessage());
    }
}
