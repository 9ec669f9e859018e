package dev.kiln.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kiln.json.Json;
import dev.kiln.shaders.Precision;

/**
 * What one generation produced. Timings: {@code prefillTps} counts the prompt positions that ran ({@code prefilled}:
 * those after the part of the prompt the KV cache already held) over the time to the first generated token
 * ({@code firstTokenMs}); {@code decodeTps} the tokens after the first over the time after it.
 */
public record GenerateResult(int[] promptIds, int[] ids, String text, Precision precision, String adapter,
                             double loadMs, double prefillTps, double decodeTps, int prefilled,
                             double firstTokenMs, Finish finish, double compileMs, Work prefill, Work decode,
                             String recovered) {

    /**
     * GPU work of one phase, counted by the engine as it encodes: {@code prefill} up to and including the first token,
     * {@code decode} the tokens after it (divide by {@code ids.length - 1} for per-token figures).
     */
    public record Work(int dispatches, int submits, double readBytes) {
        public Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dispatches", dispatches);
            m.put("submits", submits);
            m.put("read_bytes", readBytes);
            return m;
        }
    }

    /** Why generation ended, as OpenAI's finish_reason says it. */
    public enum Finish {
        STOP("stop"),     // an end-of-generation token or a stop string
        LENGTH("length"), // max_tokens or the end of the context
        ABORT("abort");   // Engine.stop() (the user's Stop)

        public final String reason;

        Finish(String reason) { this.reason = reason; }
    }

    /** This result, saying that a lost GPU device was recovered while it ran ({@code what}: what happened). */
    public GenerateResult withRecovered(String what) {
        return new GenerateResult(promptIds, ids, text, precision, adapter, loadMs, prefillTps, decodeTps, prefilled,
                firstTokenMs, finish, compileMs, prefill, decode, what);
    }

    /** Engine.stop() ended it (the user's Stop). */
    public boolean stopped() { return finish == Finish.ABORT; }

    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prompt_ids", list(promptIds));
        m.put("ids", list(ids));
        m.put("text", text);
        m.put("precision", precision.name().toLowerCase());
        m.put("adapter", adapter);
        m.put("load_ms", loadMs);
        m.put("prefill_tps", prefillTps);
        m.put("decode_tps", decodeTps);
        m.put("stopped", stopped());
        if (!recovered.isEmpty()) m.put("recovered", recovered);
        m.put("prefilled", prefilled);
        m.put("first_token_ms", firstTokenMs);
        m.put("finish_reason", finish.reason);
        m.put("compile_ms", compileMs);
        m.put("prefill_work", prefill.json());
        m.put("decode_work", decode.json());
        return Json.write(m);
    }

    private static List<Object> list(int[] v) {
        List<Object> out = new ArrayList<>(v.length);
        for (int i : v) out.add(i);
        return out;
    }
}
