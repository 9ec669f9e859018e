package dev.kiln.engine;

import java.util.ArrayList;
import java.util.List;

import dev.kiln.chat.ChatInputs;
import dev.kiln.chat.ChatTemplate;
import dev.kiln.chat.RenderedPrompt;
import dev.kiln.chat.WallTime;
import dev.kiln.generate.GenerationRequest;
import dev.kiln.generate.InvalidRequestException;
import dev.kiln.tokenizer.Vocabulary;

/**
 * Conversations on a loaded {@link Engine}: the model's chat template (parsed once) renders the messages exactly as
 * Hugging Face does, the prompt is tokenized with special tokens only where the template wrote them, and the engine
 * generates with its KV cache kept between turns, so turn n + 1 prefills only its new tokens. A conversation that
 * outgrows the context loses its oldest turns (never the system message) before it is sent.
 */
public final class Chat {

    /**
     * One assistant reply.
     *
     * @param result  what the engine did (ids, text without any stop string, timings, finish reason)
     * @param prompt  the rendered template text, with its untrusted ranges
     * @param dropped messages left out from the start of the conversation to fit the context (0 when none)
     */
    public record Reply(GenerateResult result, RenderedPrompt prompt, int dropped) {}

    private final Engine engine;
    private final Vocabulary vocab;
    private final ChatTemplate template; // null for a model without a chat template
    private final String templateError;  // why the template could not be parsed, or null

    public Chat(Engine engine, Vocabulary vocab) {
        this.engine = engine;
        this.vocab = vocab;
        ChatTemplate t = null;
        String error = null;
        if (!vocab.chatTemplate().isEmpty()) {
            try {
                t = ChatTemplate.parse(vocab.chatTemplate());
            } catch (RuntimeException e) {
                error = e.getMessage();
            }
        }
        this.template = t;
        this.templateError = error;
    }

    /** Whether the model has a chat template (a base model has only completion). */
    public boolean available() { return template != null || templateError != null; }

    /**
     * Renders {@code r.messages()} and generates the assistant's reply.
     *
     * @param now the local time the template's {@code strftime_now} formats
     */
    public Reply reply(GenerationRequest r, WallTime now, Engine.TokenListener listener) {
        if (r.messages() == null) throw new InvalidRequestException("messages", "a chat request needs messages");
        if (templateError != null) {
            throw new IllegalArgumentException("this model's chat template cannot be used: " + templateError);
        }
        if (template == null) {
            throw new InvalidRequestException("messages", "this model has no chat template (a base model): use completions with a prompt");
        }
        List<GenerationRequest.Message> messages = new ArrayList<>(r.messages());
        if (messages.isEmpty()) throw new InvalidRequestException("messages", "messages must hold at least one message");
        int context = engine.config().context();
        int reserve = Math.max(1, Math.min(r.maxTokens(), context / 4)); // room left for the reply
        int dropped = 0;
        while (true) {
            RenderedPrompt prompt = template.render(inputs(messages, now));
            int[] ids = prompt.tokens(engine.tokenizer());
            if (ids.length + reserve <= context) {
                GenerateResult result = engine.generate(ids, r, engine.stopConditions(r, r.stop()), listener);
                return new Reply(result, prompt, dropped);
            }
            int n = dropOldestTurn(messages);
            if (n == 0) {
                throw new InvalidRequestException("messages", "the conversation's last turn is " + ids.length
                        + " tokens with the system message, and the context holds " + context + " (with " + reserve
                        + " left for the reply): shorten the message or the system prompt");
            }
            dropped += n;
        }
    }

    /**
     * Removes the oldest turn after the system messages: the first message and everything up to the next user
     * message, so the conversation still starts with a user turn. Returns how many went; 0 when only the last user
     * turn is left.
     */
    static int dropOldestTurn(List<GenerationRequest.Message> messages) {
        int first = 0;
        while (first < messages.size() && messages.get(first).role().equals("system")) first++;
        int next = first + 1;
        while (next < messages.size() && !messages.get(next).role().equals("user")) next++;
        if (next >= messages.size()) return 0; // the oldest turn is the last one
        for (int i = first; i < next; i++) messages.remove(first);
        return next - first;
    }

    private ChatInputs inputs(List<GenerationRequest.Message> messages, WallTime now) {
        return ChatInputs.of(GenerationRequest.Message.asMaps(messages), vocab.specialTokens()).at(now);
    }
}
