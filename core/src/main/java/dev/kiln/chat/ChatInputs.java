package dev.kiln.chat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code apply_chat_template} passes to a template. Values are plain Java data: Map (with String keys), List,
 * String, Boolean, Integer/Long, Float/Double, null.
 *
 * @param messages            the conversation: maps with "role", "content" and, where a template reads them,
 *                            "tool_calls", "reasoning_content" ...
 * @param tools               tool definitions (JSON-schema maps), or null for none
 * @param documents           documents for retrieval templates, or null for none
 * @param addGenerationPrompt end with the header that starts the assistant's reply
 * @param specialTokens       bos_token, eos_token ... by name (as {@code Vocabulary.specialTokens()}); the only
 *                            caller strings treated as trusted, so they may spell special tokens
 * @param extra               further template variables ({@code enable_thinking}, {@code date_string} ...)
 * @param now                 what {@code strftime_now} formats; null when the caller gives no clock (a template that
 *                            calls it then fails with a message saying so)
 */
public record ChatInputs(List<?> messages, List<?> tools, List<?> documents, boolean addGenerationPrompt,
                         Map<String, String> specialTokens, Map<String, ?> extra, WallTime now) {

    public ChatInputs {
        if (messages == null) throw new IllegalArgumentException("messages must be a list (empty for none), not null");
        specialTokens = Map.copyOf(specialTokens);
        extra = new LinkedHashMap<>(extra);
        for (String reserved : List.of("messages", "tools", "documents", "add_generation_prompt")) {
            if (extra.containsKey(reserved)) {
                throw new IllegalArgumentException("'" + reserved + "' is a ChatInputs field, not an extra template variable");
            }
        }
    }

    /** A conversation with a generation prompt, no tools, documents, extras or clock. */
    public static ChatInputs of(List<?> messages, Map<String, String> specialTokens) {
        return new ChatInputs(messages, null, null, true, specialTokens, Map.of(), null);
    }

    public ChatInputs withGenerationPrompt(boolean add) {
        return new ChatInputs(messages, tools, documents, add, specialTokens, extra, now);
    }

    public ChatInputs withTools(List<?> tools) {
        return new ChatInputs(messages, tools, documents, addGenerationPrompt, specialTokens, extra, now);
    }

    public ChatInputs withDocuments(List<?> documents) {
        return new ChatInputs(messages, tools, documents, addGenerationPrompt, specialTokens, extra, now);
    }

    /** These inputs plus one extra template variable (such as {@code enable_thinking}). */
    public ChatInputs with(String name, Object value) {
        Map<String, Object> e = new LinkedHashMap<>(extra);
        e.put(name, value);
        return new ChatInputs(messages, tools, documents, addGenerationPrompt, specialTokens, e, now);
    }

    public ChatInputs at(WallTime time) {
        return new ChatInputs(messages, tools, documents, addGenerationPrompt, specialTokens, extra, time);
    }
}
