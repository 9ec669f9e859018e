package dev.kiln.chat;

import dev.kiln.tokenizer.Vocabulary;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StopConditionsTest {

    /** Feeds tokens (all id 5, which is no stop id) and joins what is shown; the last Step in {@code last}. */
    private static String feed(StopConditions s, StopConditions.Step[] last, String... texts) {
        StringBuilder shown = new StringBuilder();
        for (String t : texts) {
            last[0] = s.next(5, t);
            shown.append(last[0].text());
            if (last[0].stopped()) break;
        }
        return shown.toString();
    }

    @Test
    void everyEndOfGenerationIdStopsWithoutShowingItsText() {
        for (int id : new int[] {7, 9}) {
            StopConditions s = new StopConditions(new int[] {7, 9}, List.of());
            assertEquals("hi", s.next(1, "hi").text());
            StopConditions.Step step = s.next(id, "<|eot_id|>");
            assertEquals(StopConditions.Reason.END_OF_GENERATION_TOKEN, step.stop());
            assertEquals("", step.text());
        }
    }

    @Test
    void aStopStringSplitAcrossTokensNeverShows() {
        StopConditions s = new StopConditions(new int[0], List.of("\nUser:"));
        StopConditions.Step[] last = new StopConditions.Step[1];
        assertEquals("Hello", feed(s, last, "Hel", "lo\nUs", "er: more"));
        assertEquals(StopConditions.Reason.STOP_STRING, last[0].stop());
    }

    @Test
    void heldTextThatIsNoStopStringAfterAllIsShown() {
        StopConditions s = new StopConditions(new int[0], List.of("###"));
        assertEquals("a", s.next(5, "a#").text(), "'#' may begin ###");
        assertEquals("##b", s.next(5, "#b").text());
        assertFalse(s.next(5, "c").stopped());
    }

    @Test
    void textHeldBackWhenAnEndTokenComesIsShown() {
        StopConditions s = new StopConditions(new int[] {2}, List.of("###"));
        assertEquals("x", s.next(5, "x#").text());
        assertEquals("#", s.next(2, "").text());
    }

    @Test
    void finishReleasesTheHeldText() {
        StopConditions s = new StopConditions(new int[0], List.of("</answer>"));
        assertEquals("done ", s.next(5, "done </ans").text());
        assertEquals("</ans", s.finish());
    }

    @Test
    void theEarliestOfSeveralStopStringsWins() {
        StopConditions s = new StopConditions(new int[0], List.of("BBB", "A"));
        StopConditions.Step step = s.next(5, "xBBB yA");
        assertEquals("x", step.text());
        assertTrue(step.stopped());
    }

    @Test
    void nothingMayFollowAStop() {
        StopConditions s = new StopConditions(new int[] {2}, List.of());
        s.next(2, "");
        assertThrows(IllegalStateException.class, () -> s.next(1, "x"));
    }

    @Test
    void anEmptyStopStringIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new StopConditions(new int[0], List.of("")));
    }

    @Test
    void aModelStopsAtItsEosIdsAndTheEndOfTurnTokenItsTemplateWrites() {
        List<String> tokens = List.of("a", "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|eot_id|>");
        int c = Vocabulary.CONTROL;
        Vocabulary v = new Vocabulary("bpe", tokens, new float[0], new int[] {1, c, c, c, c}, List.of(), -1, 1, -1, false, false)
                .withChat("{% for m in messages %}<|im_start|>{{ m.content }}<|im_end|>{% endfor %}", Map.of());
        // eos <|endoftext|> from the vocabulary, <|im_end|> from the template; <|eot_id|> is not this model's
        assertArrayEquals(new int[] {1, 3}, StopConditions.forModel(v, List.of()).stopIds());
        assertArrayEquals(new int[] {1, 4, 3}, StopConditions.forModel(v.withEog(new int[] {4}), List.of()).stopIds());
    }
}
