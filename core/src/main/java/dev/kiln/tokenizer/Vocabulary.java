package dev.kiln.tokenizer;

import dev.kiln.json.Json;
import dev.kiln.json.JsonException;
import dev.kiln.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A model's tokenizer data as packaged ({@code tokenizer-<hash>.json} beside the manifest): the one definition of
 * that file. Token types follow GGUF ({@link #NORMAL} … {@link #BYTE}).
 *
 * @param model          "spm" (SentencePiece BPE, merges by score) or "bpe" (byte-level BPE, merges by rank)
 * @param tokens         (vocab) token text; SentencePiece uses U+2581 for a space and {@code <0xNN>} byte tokens
 * @param scores         (vocab) merge scores for "spm"; may be empty for "bpe"
 * @param types          (vocab) token types
 * @param merges         "a b" merge rules in rank order for "bpe"; empty for "spm"
 * @param bos            beginning-of-sequence id, -1 when none
 * @param eos            end-of-sequence id, -1 when none
 * @param unk            unknown-token id, -1 when none
 * @param addBos         prepend BOS when encoding a prompt
 * @param addSpacePrefix SentencePiece: prepend a space to the text before encoding; byte-level BPE: prepend a space
 *                       when the text does not start with one (Hugging Face ByteLevel {@code add_prefix_space})
 * @param pre            byte-level BPE pre-tokenizer, applied in order (each splits every piece into its matches and
 *                       the gaps between them): an entry is a name from {@link PreTokenizer#NAMES} (llama.cpp's
 *                       {@code tokenizer.ggml.pre}: "gpt-2", "llama-bpe", "qwen2", "smollm", …) standing for its
 *                       regex list, or a regex in Hugging Face (Oniguruma) syntax as in tokenizer.json's Split
 *                       pre-tokenizer. Empty (the default, JSON key absent) means "gpt-2". Ignored by "spm".
 * @param normalizer     "" (none, the default) or "nfc": Unicode NFC applied to the text between added tokens
 *                       before pre-tokenization (Qwen2's tokenizer.json normalizer). Byte-level BPE only.
 * @param ignoreMerges   byte-level BPE: a pre-token that is itself a vocabulary token is emitted whole, without BPE
 *                       (Hugging Face BPE {@code ignore_merges}, Llama 3); default false
 * @param chatTemplate   the model's chat template (Jinja source, as tokenizer_config.json's {@code chat_template} or
 *                       GGUF's {@code tokenizer.chat_template}), kept verbatim for a chat front end; "" when none
 * @param specialTokens  the texts a chat template refers to by name ({@code bos_token}, {@code eos_token},
 *                       {@code pad_token}, {@code unk_token}), in key order; empty when none. Informational: encoding
 *                       and decoding use the ids and token types only
 * @param eog            end-of-generation ids besides {@code eos}: every {@code eos_token_id} of generation_config.json
 *                       and config.json (Llama 3 lists several), GGUF's end-of-turn/-message ids; empty when none.
 *                       {@link #endOfGeneration()} joins them with {@code eos}
 */
public record Vocabulary(String model, List<String> tokens, float[] scores, int[] types, List<String> merges,
                         int bos, int eos, int unk, boolean addBos, boolean addSpacePrefix,
                         List<String> pre, String normalizer, boolean ignoreMerges,
                         String chatTemplate, Map<String, String> specialTokens, int[] eog) {

    public static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5, BYTE = 6;

    public static final String FORMAT = "kiln-tokenizer";
    public static final int VERSION = 1;

    public Vocabulary {
        if (!model.equals("spm") && !model.equals("bpe")) {
            throw new IllegalArgumentException("unsupported tokenizer model '" + model + "', expected spm or bpe");
        }
        if (types.length != tokens.size()) throw new IllegalArgumentException("token types and tokens differ in count");
        if (scores.length != 0 && scores.length != tokens.size()) throw new IllegalArgumentException("scores and tokens differ in count");
        if (!normalizer.isEmpty() && !normalizer.equals(NFC)) {
            throw new IllegalArgumentException("unsupported tokenizer normalizer '" + normalizer + "', expected \"\" (none) or \"nfc\"");
        }
        for (String p : pre) if (p == null || p.isEmpty()) throw new IllegalArgumentException("empty pre-tokenizer entry in " + pre);
        if (chatTemplate == null) throw new IllegalArgumentException("chat template must be \"\" when there is none, not null");
        for (Map.Entry<String, String> e : specialTokens.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty() || e.getValue() == null) {
                throw new IllegalArgumentException("special token entry " + e.getKey() + " = " + e.getValue() + " needs a name and a text");
            }
        }
        specialTokens = Collections.unmodifiableMap(new TreeMap<>(specialTokens));
        for (int id : eog) {
            if (id < 0 || id >= tokens.size()) throw new IllegalArgumentException("end-of-generation id " + id + " is outside the vocabulary of " + tokens.size());
        }
        eog = eog.clone();
    }

    /** A vocabulary without a chat template or named special tokens. */
    public Vocabulary(String model, List<String> tokens, float[] scores, int[] types, List<String> merges,
                      int bos, int eos, int unk, boolean addBos, boolean addSpacePrefix,
                      List<String> pre, String normalizer, boolean ignoreMerges) {
        this(model, tokens, scores, types, merges, bos, eos, unk, addBos, addSpacePrefix, pre, normalizer, ignoreMerges,
                "", Map.of(), new int[0]);
    }

    /** This vocabulary with a chat template and the special-token texts it refers to (the other fields unchanged). */
    public Vocabulary withChat(String chatTemplate, Map<String, String> specialTokens) {
        return new Vocabulary(model, tokens, scores, types, merges, bos, eos, unk, addBos, addSpacePrefix, pre, normalizer,
                ignoreMerges, chatTemplate, specialTokens, eog);
    }

    /** This vocabulary with these end-of-generation ids besides {@code eos} (the other fields unchanged). */
    public Vocabulary withEog(int[] ids) {
        return new Vocabulary(model, tokens, scores, types, merges, bos, eos, unk, addBos, addSpacePrefix, pre, normalizer,
                ignoreMerges, chatTemplate, specialTokens, ids);
    }

    /** Every id that ends generation: {@code eos} (when there is one) and {@link #eog}, without repeats, in that order. */
    public int[] endOfGeneration() {
        int[] out = new int[eog.length + 1];
        int n = 0;
        if (eos >= 0) out[n++] = eos;
        for (int id : eog) {
            boolean seen = false;
            for (int i = 0; i < n; i++) seen |= out[i] == id;
            if (!seen) out[n++] = id;
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** A vocabulary with the default pre-tokenizer, no normalizer and merges always applied. */
    public Vocabulary(String model, List<String> tokens, float[] scores, int[] types, List<String> merges,
                      int bos, int eos, int unk, boolean addBos, boolean addSpacePrefix) {
        this(model, tokens, scores, types, merges, bos, eos, unk, addBos, addSpacePrefix, List.of(), "", false);
    }

    /** The value of {@link #normalizer} for Unicode NFC. */
    public static final String NFC = "nfc";

    public int size() { return tokens.size(); }

    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("version", VERSION);
        m.put("model", model);
        m.put("bos", bos);
        m.put("eos", eos);
        m.put("unk", unk);
        m.put("add_bos", addBos);
        m.put("add_space_prefix", addSpacePrefix);
        m.put("tokens", new ArrayList<Object>(tokens));
        List<Object> s = new ArrayList<>();
        for (float f : scores) s.add((double) f);
        m.put("scores", s);
        List<Object> t = new ArrayList<>();
        for (int v : types) t.add(v);
        m.put("types", t);
        m.put("merges", new ArrayList<Object>(merges));
        // written only when not the default, so files of vocabularies without them keep their bytes (and hashes)
        if (!pre.isEmpty()) m.put("pre", new ArrayList<Object>(pre));
        if (!normalizer.isEmpty()) m.put("normalizer", normalizer);
        if (ignoreMerges) m.put("ignore_merges", true);
        if (!chatTemplate.isEmpty()) m.put("chat_template", chatTemplate);
        if (!specialTokens.isEmpty()) m.put("special_tokens", new LinkedHashMap<String, Object>(specialTokens));
        if (eog.length > 0) {
            List<Object> e = new ArrayList<>();
            for (int id : eog) e.add(id);
            m.put("eog", e);
        }
        return Json.write(m);
    }

    public static Vocabulary fromJson(String text) {
        JsonObject o = JsonObject.of(Json.parse(text), "tokenizer");
        if (!FORMAT.equals(o.string("format", ""))) throw new JsonException("not a Kiln tokenizer file: 'format' must be \"" + FORMAT + "\"");
        int version = o.integer("version");
        if (version != VERSION) throw new JsonException("unsupported tokenizer file version " + version + ", expected " + VERSION);
        List<String> tokens = strings(o.array("tokens"));
        List<Object> sc = o.array("scores");
        float[] scores = new float[sc.size()];
        for (int i = 0; i < scores.length; i++) scores[i] = (float) JsonObject.numberAt(sc, i, "tokenizer: scores");
        List<Object> ty = o.array("types");
        int[] types = new int[ty.size()];
        for (int i = 0; i < types.length; i++) types[i] = (int) JsonObject.numberAt(ty, i, "tokenizer: types");
        return new Vocabulary(o.string("model"), tokens, scores, types, strings(o.array("merges")),
                o.integer("bos", -1), o.integer("eos", -1), o.integer("unk", -1),
                o.bool("add_bos", true), o.bool("add_space_prefix", false),
                o.has("pre") ? strings(o.array("pre")) : List.of(), o.string("normalizer", ""), o.bool("ignore_merges", false),
                o.string("chat_template", ""), o.has("special_tokens") ? texts(o.object("special_tokens")) : Map.of(),
                o.has("eog") ? ids(o.array("eog")) : new int[0]);
    }

    private static int[] ids(List<Object> raw) {
        int[] out = new int[raw.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(raw.get(i) instanceof Double d) || d != Math.rint(d)) throw new JsonException("tokenizer: 'eog' must list token ids");
            out[i] = d.intValue();
        }
        return out;
    }

    private static Map<String, String> texts(JsonObject o) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : o.map().keySet()) out.put(key, o.string(key));
        return out;
    }

    private static List<String> strings(List<Object> raw) {
        List<String> out = new ArrayList<>(raw.size());
        for (Object v : raw) {
            if (!(v instanceof String)) throw new JsonException("tokenizer: expected strings in the tokens, merges and pre lists");
            out.add((String) v);
        }
        return out;
    }
}
