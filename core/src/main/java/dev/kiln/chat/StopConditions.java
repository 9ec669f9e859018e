package dev.kiln.chat;

import dev.kiln.tokenizer.Vocabulary;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * When a reply ends, and which of its text may be shown so far. Generation stops at an end-of-generation token (every
 * EOS id the model lists, and the end-of-turn token its chat template writes) or when the text contains a stop
 * string; text that could be the start of a stop string is held back until the next token decides, so stopping text
 * never reaches the screen.
 *
 * <pre>{@code
 * StopConditions stop = StopConditions.forModel(vocab, List.of("\nUser:"));
 * for each sampled token: Step s = stop.next(id, textOf(id)); show(s.text()); if (s.stopped()) break;
 * at the length limit: show(stop.finish());
 * }</pre>
 */
public final class StopConditions {

    /** Why generation stopped. */
    public enum Reason { END_OF_GENERATION_TOKEN, STOP_STRING }

    /**
     * The outcome of one token.
     *
     * @param text what may be shown now (may be empty)
     * @param stop why generation ends here, or null to go on
     */
    public record Step(String text, Reason stop) {
        public boolean stopped() { return stop != null; }
    }

    /** End-of-turn token texts chat templates write (llama.cpp's end-of-generation list). */
    static final List<String> END_OF_TURN = List.of("<|eot_id|>", "<|eom_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<|end_of_text|>", "<EOT>", "<\uff5cend\u2581of\u2581sentence\uff5c>", "</s>");

    private final int[] stopIds;
    private final List<String> stopStrings;
    private final StringBuilder held = new StringBuilder();
    private boolean done;

    /**
     * @param stopIds     token ids that end generation (their text is never shown)
     * @param stopStrings texts that end generation (not shown, nor anything after them); empty strings are refused
     */
    public StopConditions(int[] stopIds, List<String> stopStrings) {
        for (String s : stopStrings) {
            if (s == null || s.isEmpty()) throw new IllegalArgumentException("stop strings must not be empty, got " + stopStrings);
        }
        this.stopIds = stopIds.clone();
        this.stopStrings = List.copyOf(stopStrings);
    }

    /**
     * The stop conditions of a packaged model: {@link Vocabulary#endOfGeneration()} plus every end-of-turn control
     * token its chat template writes, and the caller's stop strings.
     */
    public static StopConditions forModel(Vocabulary v, List<String> stopStrings) {
        List<Integer> ids = new ArrayList<>();
        for (int id : v.endOfGeneration()) ids.add(id);
        for (String text : END_OF_TURN) {
            if (!v.chatTemplate().contains(text)) continue;
            int id = v.tokens().indexOf(text);
            if (id >= 0 && v.types()[id] == Vocabulary.CONTROL && !ids.contains(id)) ids.add(id);
        }
        return new StopConditions(ids.stream().mapToInt(Integer::intValue).toArray(), stopStrings);
    }

    /** The ids that end generation. */
    public int[] stopIds() { return stopIds.clone(); }

    /** The same conditions with nothing seen yet (to run a generation again from its start). */
    public StopConditions fresh() { return new StopConditions(stopIds, stopStrings); }

    /** One generated token and its decoded text: what to show now, and whether generation ends. */
    public Step next(int id, String text) {
        if (done) throw new IllegalStateException("generation already stopped; start a new StopConditions for the next reply");
        for (int s : stopIds) {
            if (s == id) return stop(Reason.END_OF_GENERATION_TOKEN, held.length());
        }
        held.append(text);
        int first = -1;
        for (String s : stopStrings) {
            int k = held.indexOf(s);
            if (k >= 0 && (first < 0 || k < first)) first = k;
        }
        if (first >= 0) return stop(Reason.STOP_STRING, first);
        int keep = heldBack();
        String show = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return new Step(show, null);
    }

    /** Generation ended for another reason (a length limit): the text held back is shown after all. */
    public String finish() {
        done = true;
        String rest = held.toString();
        held.setLength(0);
        return rest;
    }

    private Step stop(Reason why, int showUpTo) {
        done = true;
        String show = held.substring(0, showUpTo);
        held.setLength(0);
        return new Step(show, why);
    }

    /** The length of the longest end of the held text that begins some stop string. */
    private int heldBack() {
        int best = 0;
        for (String s : stopStrings) {
            for (int k = Math.min(s.length() - 1, held.length()); k > best; k--) {
                if (held.indexOf(s.substring(0, k), held.length() - k) == held.length() - k) {
                    best = k;
                    break;
                }
            }
        }
        return best;
    }

    @Override public String toString() { return "StopConditions[ids " + Arrays.toString(stopIds) + ", strings " + stopStrings + "]"; }
}
