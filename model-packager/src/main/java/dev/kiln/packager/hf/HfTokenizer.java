package dev.kiln.packager.hf;

import dev.kiln.model.ModelConfig;
import dev.kiln.packager.ModelFormatException;
import dev.kiln.tokenizer.Vocabulary;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code tokenizer.json} (+ {@code tokenizer_config.json}) → our {@link Vocabulary}. Two families:
 * <ul>
 * <li>SentencePiece-style BPE (Llama 2, TinyLlama, Mistral, Phi-3: {@code byte_fallback}, spaces as U+2581) →
 *   "spm". Our SentencePiece merges the adjacent pair with the highest-scoring result, Hugging Face BPE applies the
 *   lowest-ranked merge, so {@code score(token) = -(rank of the first merge that produces it)} makes both pick the
 *   same pair. A multi-character token no merge produces gets a score below every merge (it cannot be
 *   reached by Hugging Face's merges; SentencePiece may still reach it — not seen in practice).</li>
 * <li>Byte-level BPE (GPT-2, Llama 3, SmolLM2, Qwen: a {@code ByteLevel} pre-tokenizer) → "bpe" with the merges in
 *   rank order (token texts stay in GPT-2's byte-to-unicode alphabet, as GGUF stores them), the pre-tokenizer's
 *   splits, NFC when configured and {@code ignore_merges}.</li>
 * </ul>
 * Ids beyond the tokenizer's tokens but inside the model's vocabulary (padding rows) become {@code [PAD<id>]}
 * tokens of type UNUSED, as llama.cpp's converter does. tokenizer_config.json's {@code chat_template} and the
 * special-token texts it names ({@code bos_token}, {@code eos_token}, {@code pad_token}, {@code unk_token}) are kept
 * for a chat front end.
 */
public final class HfTokenizer {
    private HfTokenizer() {}

    static Vocabulary read(String where, JsonNode tok, JsonNode tokConfig, ModelConfig c) {
        JsonNode model = tok.path("model");
        String type = model.path("type").asString("");
        if (!type.equals("BPE")) {
            throw new ModelFormatException(where + ": tokenizer.json model type '" + type + "' is not supported; Kiln reads BPE"
                    + " tokenizers (SentencePiece-style with byte fallback, or byte-level)");
        }
        int n = c.vocab();
        String[] tokens = new String[n];
        int[] types = new int[n];
        for (Map.Entry<String, JsonNode> e : model.path("vocab").properties()) put(where, tokens, types, e.getValue().asInt(-1), e.getKey(), Vocabulary.NORMAL);
        for (JsonNode a : tok.path("added_tokens")) {
            put(where, tokens, types, a.path("id").asInt(-1), a.path("content").asString(""),
                    a.path("special").asBoolean(false) ? Vocabulary.CONTROL : Vocabulary.USER_DEFINED);
        }
        for (int i = 0; i < n; i++) {
            if (tokens[i] == null) {
                tokens[i] = "[PAD" + i + "]";
                types[i] = Vocabulary.UNUSED;
            }
        }
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < n; i++) ids.putIfAbsent(tokens[i], i);
        int unk = model.path("unk_token").isString() ? ids.getOrDefault(model.path("unk_token").asString(), -1) : -1;
        if (unk >= 0) types[unk] = Vocabulary.UNKNOWN;
        List<String> merges = merges(where, model.path("merges"));
        int bos = c.bos() >= 0 ? c.bos() : special(tokConfig, "bos_token", ids);
        int eos = c.eos() >= 0 ? c.eos() : special(tokConfig, "eos_token", ids);
        boolean addBos = tokConfig.path("add_bos_token").isBoolean() ? tokConfig.path("add_bos_token").asBoolean()
                : templateStartsWithSpecial(tok.path("post_processor"));
        boolean byteLevel = has(tok.path("pre_tokenizer"), "ByteLevel") || has(tok.path("decoder"), "ByteLevel");
        try {
            if (byteLevel) {
                List<String> pre = new ArrayList<>();
                boolean prefix = preTokenizer(where, tok.path("pre_tokenizer"), pre);
                return new Vocabulary("bpe", List.of(tokens), new float[0], types, merges, bos, eos, unk, addBos, prefix,
                        pre, normalizer(where, tok.path("normalizer")), model.path("ignore_merges").asBoolean(false))
                        .withChat(chatTemplate(where, tokConfig), specialTokens(tokConfig));
            }
            boolean byteFallback = model.path("byte_fallback").asBoolean(false);
            for (int i = 0; i < n; i++) if (byteFallback && types[i] == Vocabulary.NORMAL && isByteToken(tokens[i])) types[i] = Vocabulary.BYTE;
            boolean prefix = has(tok.path("normalizer"), "Prepend") || metaspacePrefix(tok.path("pre_tokenizer"));
            return new Vocabulary("spm", List.of(tokens), scores(tokens, types, merges), types, List.of(), bos, eos, unk, addBos, prefix)
                    .withChat(chatTemplate(where, tokConfig), specialTokens(tokConfig));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(where + ": tokenizer.json: " + e.getMessage());
        }
    }

    /**
     * A byte-level pre-tokenizer as our list of splits ({@link Vocabulary#pre}): {@code Split} regexes (behavior
     * Isolated), {@code Digits} as a digit regex, {@code ByteLevel} with {@code use_regex} as GPT-2's regex ("gpt-2"),
     * in order. Returns ByteLevel's {@code add_prefix_space}. Anything else is refused by name.
     */
    private static boolean preTokenizer(String where, JsonNode p, List<String> out) {
        String type = p.path("type").asString("");
        switch (type) {
            case "Sequence": {
                boolean prefix = false;
                for (JsonNode n : p.path("pretokenizers")) prefix |= preTokenizer(where, n, out);
                return prefix;
            }
            case "ByteLevel":
                if (p.path("use_regex").asBoolean(true)) out.add("gpt-2");
                return p.path("add_prefix_space").asBoolean(false);
            case "Split": {
                String behavior = p.path("behavior").asString("");
                if (!behavior.equals("Isolated") || p.path("invert").asBoolean(false)) {
                    throw new ModelFormatException(where + ": tokenizer.json Split pre-tokenizer with behavior '" + behavior
                            + "'" + (p.path("invert").asBoolean(false) ? " inverted" : "") + " is not supported (Kiln runs Isolated splits)");
                }
                JsonNode pat = p.path("pattern");
                if (pat.path("Regex").isString()) out.add(pat.path("Regex").asString());
                else if (pat.path("String").isString() && !pat.path("String").asString().isEmpty()) out.add(quote(pat.path("String").asString()));
                else throw new ModelFormatException(where + ": tokenizer.json Split pre-tokenizer has no pattern: " + pat);
                return false;
            }
            case "Digits":
                out.add(p.path("individual_digits").asBoolean(false) ? "\\p{N}" : "\\p{N}+");
                return false;
            default:
                throw new ModelFormatException(where + ": tokenizer.json pre-tokenizer '" + (type.isEmpty() ? "none" : type)
                        + "' is not supported for byte-level BPE (Kiln runs Sequence, Split, Digits and ByteLevel)");
        }
    }

    /** "" or "nfc" (the normalizers byte-level models use); anything else is refused by name. */
    private static String normalizer(String where, JsonNode n) {
        if (n.isMissingNode() || n.isNull()) return "";
        String type = n.path("type").asString("");
        if (type.equals("NFC")) return Vocabulary.NFC;
        if (type.equals("Sequence")) {
            String out = "";
            for (JsonNode c : n.path("normalizers")) {
                String one = normalizer(where, c);
                if (!one.isEmpty()) out = one;
            }
            return out;
        }
        throw new ModelFormatException(where + ": tokenizer.json normalizer '" + type + "' is not supported for byte-level BPE"
                + " (Kiln runs none or NFC)");
    }

    /** A literal as a regex. */
    private static String quote(String s) {
        StringBuilder b = new StringBuilder();
        for (char ch : s.toCharArray()) {
            if ("\\^$.|?*+()[]{}".indexOf(ch) >= 0) b.append('\\');
            b.append(ch);
        }
        return b.toString();
    }

    /** score = -(rank of the first merge producing the token); tokens no merge produces rank below all merges. */
    private static float[] scores(String[] tokens, int[] types, List<String> merges) {
        Map<String, Integer> rank = new HashMap<>();
        for (int r = 0; r < merges.size(); r++) rank.putIfAbsent(merges.get(r).replace(" ", ""), r);
        float[] s = new float[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            if (types[i] != Vocabulary.NORMAL) continue; // control, byte, unknown: 0 like SentencePiece's own files
            Integer r = rank.get(tokens[i]);
            s[i] = -(r != null ? r : merges.size() + i);
        }
        return s;
    }

    private static void put(String where, String[] tokens, int[] types, int id, String text, int type) {
        if (id < 0 || id >= tokens.length) {
            throw new ModelFormatException(where + ": tokenizer.json token '" + text + "' has id " + id
                    + ", outside the model's vocabulary of " + tokens.length + " (config.json vocab_size)");
        }
        tokens[id] = text;
        types[id] = type;
    }

    /** Merges in rank order as "a b": tokenizers writes either "a b" strings or ["a", "b"] pairs. */
    private static List<String> merges(String where, JsonNode m) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : m) {
            if (e.isString()) out.add(e.asString());
            else if (e.isArray() && e.size() == 2) out.add(e.get(0).asString() + " " + e.get(1).asString());
            else throw new ModelFormatException(where + ": tokenizer.json merge " + out.size() + " is " + e + ", expected \"a b\" or [\"a\", \"b\"]");
        }
        return out;
    }

    /** tokenizer_config.json's "bos_token"/"eos_token": a string or {"content": …}. */
    private static int special(JsonNode cfg, String key, Map<String, Integer> ids) {
        return ids.getOrDefault(specialText(cfg, key), -1);
    }

    /** A special token's text in tokenizer_config.json: a string or an AddedToken {"content": …}; "" when absent or null. */
    private static String specialText(JsonNode cfg, String key) {
        JsonNode v = cfg.path(key);
        return v.isString() ? v.asString() : v.path("content").asString("");
    }

    /** The special tokens tokenizer_config.json names, which chat templates refer to by these names. */
    private static Map<String, String> specialTokens(JsonNode cfg) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : SPECIAL_KEYS) {
            String text = specialText(cfg, key);
            if (!text.isEmpty()) out.put(key, text);
        }
        return out;
    }

    private static final List<String> SPECIAL_KEYS = List.of("bos_token", "eos_token", "pad_token", "unk_token");

    /**
     * tokenizer_config.json's {@code chat_template}: a string, or a list of {"name", "template"} of which transformers
     * applies the one named "default" when no name is asked for (a list without one records none, as transformers
     * then needs a name). "" when absent.
     */
    private static String chatTemplate(String where, JsonNode cfg) {
        JsonNode t = cfg.path("chat_template");
        if (t.isMissingNode() || t.isNull()) return "";
        if (t.isString()) return t.asString();
        if (t.isArray()) {
            for (JsonNode named : t) {
                if (named.path("name").asString("").equals("default") && named.path("template").isString()) {
                    return named.path("template").asString();
                }
            }
            return "";
        }
        throw new ModelFormatException(where + ": tokenizer_config.json chat_template is " + t.getNodeType()
                + ", expected a string or a list of {\"name\", \"template\"}");
    }

    private static boolean templateStartsWithSpecial(JsonNode pp) {
        if (pp.path("type").asString("").equals("Sequence")) {
            for (JsonNode p : pp.path("processors")) if (templateStartsWithSpecial(p)) return true;
            return false;
        }
        return pp.path("type").asString("").equals("TemplateProcessing") && pp.path("single").path(0).has("SpecialToken");
    }

    /** Whether a normalizer/pre-tokenizer/decoder node is, or contains in a Sequence, one of {@code type}. */
    private static boolean has(JsonNode node, String type) {
        if (node.path("type").asString("").equals(type)) return true;
        for (String list : new String[] {"normalizers", "pretokenizers", "decoders", "processors"}) {
            for (JsonNode n : node.path(list)) if (has(n, type)) return true;
        }
        return false;
    }

    private static boolean metaspacePrefix(JsonNode pre) {
        if (pre.path("type").asString("").equals("Metaspace")) {
            return !pre.path("prepend_scheme").asString("always").equals("never") && pre.path("add_prefix_space").asBoolean(true);
        }
        for (JsonNode n : pre.path("pretokenizers")) if (metaspacePrefix(n)) return true;
        return false;
    }

    private static boolean isByteToken(String t) {
        return t.length() == 6 && t.startsWith("<0x") && t.endsWith(">")
                && Character.digit(t.charAt(3), 16) >= 0 && Character.digit(t.charAt(4), 16) >= 0;
    }

}
