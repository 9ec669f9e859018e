package dev.kiln.generate;

import dev.kiln.json.Json;
import dev.kiln.json.JsonException;
import dev.kiln.json.JsonObject;
import dev.kiln.sample.SamplerOptions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One generation: the single schema that the engine, the Worker protocol, the demo page, {@code node/generate.mjs}
 * and the {@code kiln} command line all speak, with its defaults defined here and nowhere else. As JSON (snake_case,
 * OpenAI's names where OpenAI has the parameter):
 * <pre>
 *   {"prompt": "Once upon a time",   // or "prompt_ids": [1, 403, 407], or "messages": [{"role": "user",
 *                                    //   "content": "Hi"}, …] (a chat, rendered by the model's template): exactly one
 *    "max_tokens": 128,              // tokens to generate at most, ≥ 1 (the context may end it sooner)
 *    "temperature": 0,               // ≥ 0; 0 = greedy (argmax)
 *    "top_k": 40,                    // ≥ 0; 0 = off
 *    "top_p": 0.95,                  // (0, 1]; 1 = off
 *    "seed": 0,                      // 0 .. 2^53 − 1: the same seed gives the same tokens
 *    "ignore_eos": false,            // keep generating past the end-of-sequence token
 *    "stop": ["\nUser:"],            // up to 4 strings that end the reply (not shown); one string is taken too
 *    "repetition_penalty": 1,        // > 0; 1 = off: logits of tokens already in the prompt or reply ÷ (or × when < 0) it
 *    "frequency_penalty": 0,         // −2..2: logit −= penalty · times the token occurs in the reply
 *    "presence_penalty": 0,          // −2..2: logit −= penalty when the token occurs in the reply
 *    "stream": false}                // the JavaScript API's switch between one result and chunks; the engine ignores it
 * </pre>
 * Every field but the prompt may be left out (its default applies); an unknown field is an error, so a misspelt
 * parameter never passes silently. Values out of range throw {@link InvalidRequestException} naming the field.
 *
 * @param prompt    the prompt text, or null when another prompt form is given
 * @param promptIds the prompt as token ids (not re-tokenized), or null
 * @param messages  a conversation to render with the model's chat template, or null
 */
public record GenerationRequest(String prompt, int[] promptIds, int maxTokens, float temperature, int topK, float topP,
                                long seed, boolean ignoreEos, List<Message> messages, List<String> stop,
                                float repetitionPenalty, float frequencyPenalty, float presencePenalty, boolean stream) {

    /** One message of a conversation, as OpenAI's chat API has it: role "system", "user", "assistant" (or "tool"). */
    public record Message(String role, String content) {
        public Message {
            if (role == null || role.isEmpty()) throw new InvalidRequestException("messages", "every message needs a role (system, user or assistant)");
            if (content == null) content = "";
        }

        /** The messages as a chat template reads them: maps with "role" and "content". */
        public static List<Map<String, Object>> asMaps(List<Message> messages) {
            List<Map<String, Object>> out = new ArrayList<>(messages.size());
            for (Message m : messages) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("role", m.role());
                x.put("content", m.content());
                out.add(x);
            }
            return out;
        }
    }

    public static final float DEFAULT_REPETITION_PENALTY = 1f;
    public static final float DEFAULT_FREQUENCY_PENALTY = 0f;
    public static final float DEFAULT_PRESENCE_PENALTY = 0f;
    /** OpenAI's limit on stop strings. */
    public static final int MAX_STOP = 4;

    /** A request without messages, stop strings or penalties. */
    public GenerationRequest(String prompt, int[] promptIds, int maxTokens, float temperature, int topK, float topP,
                             long seed, boolean ignoreEos) {
        this(prompt, promptIds, maxTokens, temperature, topK, topP, seed, ignoreEos, null, List.of(),
                DEFAULT_REPETITION_PENALTY, DEFAULT_FREQUENCY_PENALTY, DEFAULT_PRESENCE_PENALTY, false);
    }

    public static final int DEFAULT_MAX_TOKENS = 128;
    /** Greedy: the same prompt gives the same text everywhere unless a caller asks for sampling. */
    public static final float DEFAULT_TEMPERATURE = 0f;
    public static final int DEFAULT_TOP_K = 40;
    public static final float DEFAULT_TOP_P = 0.95f;
    public static final long DEFAULT_SEED = 0;
    public static final boolean DEFAULT_IGNORE_EOS = false;
    /** The largest seed JSON carries exactly (2^53 − 1). */
    public static final long MAX_SEED = (1L << 53) - 1;

    private static final Set<String> FIELDS = Set.of("prompt", "prompt_ids", "max_tokens", "temperature", "top_k",
            "top_p", "seed", "ignore_eos", "messages", "stop", "repetition_penalty", "frequency_penalty",
            "presence_penalty", "stream");

    public GenerationRequest {
        int forms = (prompt != null ? 1 : 0) + (promptIds != null ? 1 : 0) + (messages != null ? 1 : 0);
        if (forms != 1) {
            throw new InvalidRequestException(messages != null ? "messages" : "prompt",
                    "a request needs exactly one of prompt, prompt_ids and messages");
        }
        if (messages != null) messages = List.copyOf(messages);
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (stop.size() > MAX_STOP) throw new InvalidRequestException("stop", "stop takes at most " + MAX_STOP + " strings, got " + stop.size());
        for (String s : stop) if (s.isEmpty()) throw new InvalidRequestException("stop", "stop strings must not be empty");
        if (!(repetitionPenalty > 0f) || Float.isInfinite(repetitionPenalty)) {
            throw new InvalidRequestException("repetition_penalty", "repetition_penalty must be a finite number > 0 (1 = off), got " + repetitionPenalty);
        }
        if (!(frequencyPenalty >= -2f && frequencyPenalty <= 2f)) {
            throw new InvalidRequestException("frequency_penalty", "frequency_penalty must be in -2..2 (0 = off), got " + frequencyPenalty);
        }
        if (!(presencePenalty >= -2f && presencePenalty <= 2f)) {
            throw new InvalidRequestException("presence_penalty", "presence_penalty must be in -2..2 (0 = off), got " + presencePenalty);
        }
        if (promptIds != null) {
            if (promptIds.length == 0) throw new InvalidRequestException("prompt_ids", "prompt_ids must hold at least one token id");
            for (int i = 0; i < promptIds.length; i++) {
                if (promptIds[i] < 0) throw new InvalidRequestException("prompt_ids", "prompt_ids[" + i + "] must be ≥ 0, got " + promptIds[i]);
            }
            promptIds = promptIds.clone();
        }
        if (maxTokens < 1) throw new InvalidRequestException("max_tokens", "max_tokens must be ≥ 1, got " + maxTokens);
        if (!(temperature >= 0f) || Float.isInfinite(temperature)) {
            throw new InvalidRequestException("temperature", "temperature must be a finite number ≥ 0 (0 = greedy), got " + temperature);
        }
        if (topK < 0) throw new InvalidRequestException("top_k", "top_k must be ≥ 0 (0 = off), got " + topK);
        if (!(topP > 0f && topP <= 1f)) throw new InvalidRequestException("top_p", "top_p must be in (0, 1] (1 = off), got " + topP);
        if (seed < 0 || seed > MAX_SEED) throw new InvalidRequestException("seed", "seed must be in 0.." + MAX_SEED + ", got " + seed);
    }

    /** The prompt text with every other field at its default. */
    public static GenerationRequest of(String prompt) {
        return new GenerationRequest(prompt, null, DEFAULT_MAX_TOKENS, DEFAULT_TEMPERATURE, DEFAULT_TOP_K, DEFAULT_TOP_P,
                DEFAULT_SEED, DEFAULT_IGNORE_EOS);
    }

    /** The prompt as token ids with every other field at its default. */
    public static GenerationRequest ofIds(int[] promptIds) {
        return new GenerationRequest(null, promptIds, DEFAULT_MAX_TOKENS, DEFAULT_TEMPERATURE, DEFAULT_TOP_K,
                DEFAULT_TOP_P, DEFAULT_SEED, DEFAULT_IGNORE_EOS);
    }

    public GenerationRequest withMaxTokens(int n) { return new GenerationRequest(prompt, promptIds, n, temperature, topK, topP, seed, ignoreEos, messages, stop, repetitionPenalty, frequencyPenalty, presencePenalty, stream); }

    public GenerationRequest withTemperature(float t) { return new GenerationRequest(prompt, promptIds, maxTokens, t, topK, topP, seed, ignoreEos, messages, stop, repetitionPenalty, frequencyPenalty, presencePenalty, stream); }

    public GenerationRequest withTopK(int k) { return new GenerationRequest(prompt, promptIds, maxTokens, temperature, k, topP, seed, ignoreEos, messages, stop, repetitionPenalty, frequencyPenalty, presencePenalty, stream); }

    public GenerationRequest withTopP(float p) { return new GenerationRequest(prompt, promptIds, maxTokens, temperature, topK, p, seed, ignoreEos, messages, stop, repetitionPenalty, frequencyPenalty, presencePenalty, stream); }

    public GenerationRequest withSeed(long s) { return new GenerationRequest(prompt, promptIds, maxTokens, temperature, topK, topP, s, ignoreEos, messages, stop, repetitionPenalty, frequencyPenalty, presencePenalty, stream); }

    public GenerationRequest withIgnoreEos(boolean b) { return new GenerationRequest(prompt, promptIds, maxTokens, temperature, topK, topP, seed, b, messages, stop, repetitionPenalty, frequencyPenalty, presencePenalty, stream); }

    public GenerationRequest withStop(List<String> strings) { return new GenerationRequest(prompt, promptIds, maxTokens, temperature, topK, topP, seed, ignoreEos, messages, strings, repetitionPenalty, frequencyPenalty, presencePenalty, stream); }

    public GenerationRequest withPenalties(float repetition, float frequency, float presence) {
        return new GenerationRequest(prompt, promptIds, maxTokens, temperature, topK, topP, seed, ignoreEos, messages, stop, repetition, frequency, presence, stream);
    }

    /** This request's sampling, stop and penalty settings for another prompt: token ids (a rendered chat). */
    public GenerationRequest withPromptIds(int[] ids) { return new GenerationRequest(null, ids, maxTokens, temperature, topK, topP, seed, ignoreEos, null, stop, repetitionPenalty, frequencyPenalty, presencePenalty, stream); }

    /** A conversation with every other field at its default. */
    public static GenerationRequest ofMessages(List<Message> messages) {
        return new GenerationRequest(null, null, DEFAULT_MAX_TOKENS, DEFAULT_TEMPERATURE, DEFAULT_TOP_K, DEFAULT_TOP_P,
                DEFAULT_SEED, DEFAULT_IGNORE_EOS, messages, List.of(), DEFAULT_REPETITION_PENALTY, DEFAULT_FREQUENCY_PENALTY,
                DEFAULT_PRESENCE_PENALTY, false);
    }

    /** Whether any penalty is on (the engine then samples from the GPU's top-K candidates, also when greedy). */
    public boolean hasPenalties() {
        return repetitionPenalty != 1f || frequencyPenalty != 0f || presencePenalty != 0f;
    }

    /** The ids themselves are copied: a request never changes once made. */
    @Override
    public int[] promptIds() { return promptIds == null ? null : promptIds.clone(); }

    /** Greedy decoding: always the most likely token. */
    public boolean greedy() { return temperature == 0f || topK == 1; }

    public SamplerOptions sampler() { return new SamplerOptions(temperature, topK, topP, seed); }

    /** Parses the JSON above; a missing prompt, an unknown field or a value out of range names the field. */
    public static GenerationRequest fromJson(String json) {
        if (json == null || json.isBlank()) throw new InvalidRequestException("prompt", "the request is empty: it needs at least a prompt");
        JsonObject o = JsonObject.of(Json.parse(json), "request");
        for (String key : o.map().keySet()) {
            if (!FIELDS.contains(key)) {
                throw new InvalidRequestException(key, "unknown request field '" + key + "' (known: prompt, prompt_ids,"
                        + " messages, max_tokens, temperature, top_k, top_p, seed, ignore_eos, stop, repetition_penalty,"
                        + " frequency_penalty, presence_penalty, stream)");
            }
        }
        int[] ids = null;
        if (o.has("prompt_ids")) {
            List<Object> raw = o.array("prompt_ids");
            ids = new int[raw.size()];
            for (int i = 0; i < ids.length; i++) {
                Object v = raw.get(i);
                if (!(v instanceof Double d) || d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                    throw new InvalidRequestException("prompt_ids", "prompt_ids[" + i + "] must be an integer token id, got " + v);
                }
                ids[i] = d.intValue();
            }
        }
        try {
            return new GenerationRequest(o.has("prompt") ? o.string("prompt") : null, ids,
                    o.integer("max_tokens", DEFAULT_MAX_TOKENS), (float) o.number("temperature", DEFAULT_TEMPERATURE),
                    o.integer("top_k", DEFAULT_TOP_K), (float) o.number("top_p", DEFAULT_TOP_P),
                    o.has("seed") ? seed(o) : DEFAULT_SEED, o.bool("ignore_eos", DEFAULT_IGNORE_EOS),
                    o.has("messages") ? messages(o) : null, stop(o),
                    (float) o.number("repetition_penalty", DEFAULT_REPETITION_PENALTY),
                    (float) o.number("frequency_penalty", DEFAULT_FREQUENCY_PENALTY),
                    (float) o.number("presence_penalty", DEFAULT_PRESENCE_PENALTY), o.bool("stream", false));
        } catch (JsonException e) {
            throw new InvalidRequestException(field(e.getMessage()), e.getMessage());
        }
    }

    private static List<Message> messages(JsonObject o) {
        List<Message> out = new ArrayList<>();
        for (Object raw : o.array("messages")) {
            if (!(raw instanceof Map<?, ?>)) throw new InvalidRequestException("messages", "each message must be an object {role, content}, got " + raw);
            JsonObject m = JsonObject.of(raw, "message");
            Object content = m.raw("content");
            if (content != null && !(content instanceof String)) {
                throw new InvalidRequestException("messages", "a message's content must be a string, got " + content);
            }
            out.add(new Message(m.string("role", null), (String) content));
        }
        return out;
    }

    /** "stop": one string or a list of them. */
    private static List<String> stop(JsonObject o) {
        if (!o.has("stop")) return List.of();
        Object v = o.raw("stop");
        if (v instanceof String s) return List.of(s);
        List<String> out = new ArrayList<>();
        for (Object x : o.array("stop")) {
            if (!(x instanceof String s)) throw new InvalidRequestException("stop", "stop must be a string or a list of strings, got " + x);
            out.add(s);
        }
        return out;
    }

    private static long seed(JsonObject o) {
        double d = o.number("seed");
        if (d != Math.rint(d) || d < 0 || d > MAX_SEED) throw new InvalidRequestException("seed", "seed must be an integer in 0.." + MAX_SEED + ", got " + d);
        return (long) d;
    }

    /** The field a JsonObject error names ("request: field 'top_k' must be …"). */
    private static String field(String message) {
        int a = message.indexOf('\''), b = a < 0 ? -1 : message.indexOf('\'', a + 1);
        return b > a ? message.substring(a + 1, b) : "request";
    }

    /** Every field, defaults included, so the receiver need not know them. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (prompt != null) m.put("prompt", prompt);
        if (promptIds != null) {
            List<Object> ids = new ArrayList<>(promptIds.length);
            for (int id : promptIds) ids.add(id);
            m.put("prompt_ids", ids);
        }
        m.put("max_tokens", maxTokens);
        m.put("temperature", shortest(temperature));
        m.put("top_k", topK);
        m.put("top_p", shortest(topP));
        m.put("seed", seed);
        m.put("ignore_eos", ignoreEos);
        if (messages != null) {
            List<Object> ms = new ArrayList<>();
            for (Message msg : messages) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("role", msg.role());
                x.put("content", msg.content());
                ms.add(x);
            }
            m.put("messages", ms);
        }
        if (!stop.isEmpty()) m.put("stop", new ArrayList<Object>(stop));
        if (hasPenalties()) {
            m.put("repetition_penalty", shortest(repetitionPenalty));
            m.put("frequency_penalty", shortest(frequencyPenalty));
            m.put("presence_penalty", shortest(presencePenalty));
        }
        if (stream) m.put("stream", true);
        return Json.write(m);
    }

    /** 0.95f as 0.95, not 0.949999988079071: the float's shortest decimal, which parses back to the same float. */
    private static Double shortest(float f) { return Double.valueOf(Float.toString(f)); }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationRequest r && java.util.Objects.equals(prompt, r.prompt)
                && Arrays.equals(promptIds, r.promptIds) && maxTokens == r.maxTokens
                && Float.compare(temperature, r.temperature) == 0 && topK == r.topK
                && Float.compare(topP, r.topP) == 0 && seed == r.seed && ignoreEos == r.ignoreEos
                && java.util.Objects.equals(messages, r.messages) && stop.equals(r.stop)
                && Float.compare(repetitionPenalty, r.repetitionPenalty) == 0
                && Float.compare(frequencyPenalty, r.frequencyPenalty) == 0
                && Float.compare(presencePenalty, r.presencePenalty) == 0 && stream == r.stream;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(prompt, Arrays.hashCode(promptIds), maxTokens, temperature, topK, topP, seed, ignoreEos,
                messages, stop, repetitionPenalty, frequencyPenalty, presencePenalty, stream);
    }

    @Override
    public String toString() { return "GenerationRequest" + toJson(); }
}
