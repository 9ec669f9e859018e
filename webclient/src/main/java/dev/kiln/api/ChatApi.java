package dev.kiln.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kiln.chat.WallTime;
import dev.kiln.engine.Chat;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GenerateResult;
import dev.kiln.generate.GenerationRequest;
import dev.kiln.generate.InvalidRequestException;
import dev.kiln.json.Json;
import org.teavm.jso.JSBody;

/**
 * OpenAI's chat and text completion shapes over {@link Chat} and {@link Engine#generate}: the JSON the JavaScript
 * API ({@code engine.chat.completions.create}, {@code engine.completions.create}) hands to callers.
 *
 * <pre>
 *   chunk:  {"id", "object": "chat.completion.chunk", "created", "model",
 *            "choices": [{"index": 0, "delta": {"role"?, "content"}, "finish_reason": null}]}
 *   result: {"id", "object": "chat.completion", "created", "model",
 *            "choices": [{"index": 0, "message": {"role": "assistant", "content"}, "finish_reason": "stop"|"length"|"abort"}],
 *            "usage": {"prompt_tokens", "completion_tokens", "total_tokens", "prefilled_tokens",
 *                      "time_to_first_token_ms", "prefill_tps", "decode_tps"},
 *            "kiln": {"prompt", "prompt_ids", "ids", "dropped_messages"}}
 * </pre>
 * Text completions: object "text_completion" / chunks with {@code choices[0].text}, and no "prompt" rendering.
 */
final class ChatApi {
    private final Engine engine;
    private final Chat chat;
    private int requests; // for ids: chatcmpl-<n>

    ChatApi(Engine engine) {
        this.engine = engine;
        this.chat = new Chat(engine, engine.vocabulary());
    }

    boolean available() { return chat.available(); }

    String chat(String requestJson, JsCallbacks.Chunk onChunk) {
        GenerationRequest r = GenerationRequest.fromJson(requestJson);
        if (r.messages() == null) throw new InvalidRequestException("messages", "chat.completions needs messages: [{role, content}, …]");
        String id = "chatcmpl-" + (++requests);
        long created = (long) (nowMs() / 1000);
        boolean[] first = {true};
        Chat.Reply reply = chat.reply(r, now(), (tokenId, text) -> {
            if (onChunk == null || text.isEmpty()) return;
            Map<String, Object> delta = new LinkedHashMap<>();
            if (first[0]) delta.put("role", "assistant");
            first[0] = false;
            delta.put("content", text);
            Map<String, Object> choice = new LinkedHashMap<>();
            choice.put("index", 0);
            choice.put("delta", delta);
            choice.put("finish_reason", null);
            onChunk.chunk(Json.write(envelope(id, "chat.completion.chunk", created, choice)));
        });
        GenerateResult g = reply.result();
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("role", "assistant");
        message.put("content", g.text());
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        choice.put("message", message);
        choice.put("finish_reason", g.finish().reason);
        Map<String, Object> out = envelope(id, "chat.completion", created, choice);
        out.put("usage", usage(g));
        Map<String, Object> kiln = kiln(g);
        kiln.put("prompt", reply.prompt().text());
        kiln.put("dropped_messages", reply.dropped());
        out.put("kiln", kiln);
        return Json.write(out);
    }

    String completion(String requestJson, JsCallbacks.Chunk onChunk) {
        GenerationRequest r = GenerationRequest.fromJson(requestJson);
        if (r.messages() != null) throw new InvalidRequestException("messages", "completions takes a prompt; use chat.completions for messages");
        String id = "cmpl-" + (++requests);
        long created = (long) (nowMs() / 1000);
        int[] ids = r.prompt() != null ? engine.tokenizer().encode(r.prompt()) : r.promptIds();
        GenerateResult g = engine.generate(ids, r, engine.stopConditions(r, r.stop()), (tokenId, text) -> {
            if (onChunk == null || text.isEmpty()) return;
            Map<String, Object> choice = new LinkedHashMap<>();
            choice.put("index", 0);
            choice.put("text", text);
            choice.put("finish_reason", null);
            onChunk.chunk(Json.write(envelope(id, "text_completion", created, choice)));
        });
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        choice.put("text", g.text());
        choice.put("finish_reason", g.finish().reason);
        Map<String, Object> out = envelope(id, "text_completion", created, choice);
        out.put("usage", usage(g));
        out.put("kiln", kiln(g));
        return Json.write(out);
    }

    private Map<String, Object> envelope(String id, String object, long created, Map<String, Object> choice) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("object", object);
        m.put("created", created);
        m.put("model", engine.name());
        List<Object> choices = new ArrayList<>();
        choices.add(choice);
        m.put("choices", choices);
        return m;
    }

    private static Map<String, Object> usage(GenerateResult g) {
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("prompt_tokens", g.promptIds().length);
        u.put("completion_tokens", g.ids().length);
        u.put("total_tokens", g.promptIds().length + g.ids().length);
        u.put("prefilled_tokens", g.prefilled());
        u.put("time_to_first_token_ms", g.firstTokenMs());
        u.put("prefill_tps", g.prefillTps());
        u.put("decode_tps", g.decodeTps());
        return u;
    }

    private static Map<String, Object> kiln(GenerateResult g) {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("prompt_ids", ints(g.promptIds()));
        k.put("ids", ints(g.ids()));
        k.put("precision", g.precision().name().toLowerCase());
        k.put("compile_ms", g.compileMs());
        k.put("prefill_work", g.prefill().json());
        k.put("decode_work", g.decode().json());
        if (!g.recovered().isEmpty()) k.put("recovered", g.recovered()); // a lost GPU device was recovered meanwhile
        return k;
    }

    private static List<Object> ints(int[] v) {
        List<Object> out = new ArrayList<>(v.length);
        for (int i : v) out.add(i);
        return out;
    }

    /** The local time, for templates that print today's date (Llama 3.x). */
    private static WallTime now() {
        double ms = nowMs();
        return new WallTime(part(ms, 0), part(ms, 1), part(ms, 2), part(ms, 3), part(ms, 4), part(ms, 5));
    }

    /** Field {@code which} (0 year, 1 month 1–12, 2 day, 3 hour, 4 minute, 5 second) of local time at {@code ms}. */
    @JSBody(params = { "ms", "which" }, script = "var d = new Date(ms); return [d.getFullYear(), d.getMonth() + 1,"
            + " d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()][which];")
    private static native int part(double ms, int which);

    @JSBody(script = "return Date.now();")
    private static native double nowMs();
}
