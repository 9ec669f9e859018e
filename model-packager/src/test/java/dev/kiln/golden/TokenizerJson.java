package dev.kiln.golden;

import dev.kiln.tokenizer.Vocabulary;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face tokenizer.json files written from a byte-level vocabulary, in the shapes real models ship: GPT-2's
 * (ByteLevel pre-tokenizer with its regex), Llama 3's and Qwen2's (a Split regex, then ByteLevel without regex;
 * Qwen2 with an NFC normalizer) and SmolLM2's (Digits, then ByteLevel). Tokens of type CONTROL or USER_DEFINED
 * become added tokens (special or not).
 */
final class TokenizerJson {
    private TokenizerJson() {}

    /** Hugging Face's Llama 3 Split pattern (Oniguruma syntax, verbatim from Meta-Llama-3's tokenizer.json). */
    static final String LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Hugging Face's Qwen2 Split pattern (verbatim from Qwen2.5's tokenizer.json). */
    static final String QWEN2_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    static Map<String, Object> gpt2(Vocabulary v) {
        return file(v, null, byteLevel(true), false);
    }

    static Map<String, Object> llama3(Vocabulary v) {
        return file(v, null, sequence(split(LLAMA3_REGEX), byteLevel(false)), true);
    }

    static Map<String, Object> qwen2(Vocabulary v) {
        return file(v, map("type", "NFC"), sequence(split(QWEN2_REGEX), byteLevel(false)), false);
    }

    static Map<String, Object> smollm(Vocabulary v) {
        return file(v, null, sequence(map("type", "Digits", "individual_digits", true), byteLevel(true)), false);
    }

    private static Map<String, Object> file(Vocabulary v, Object normalizer, Object pre, boolean ignoreMerges) {
        Map<String, Object> vocab = new LinkedHashMap<>();
        List<Object> added = new ArrayList<>();
        for (int id = 0; id < v.size(); id++) {
            String t = v.tokens().get(id);
            int type = v.types()[id];
            if (type == Vocabulary.CONTROL || type == Vocabulary.USER_DEFINED) {
                added.add(map("id", id, "content", t, "single_word", false, "lstrip", false, "rstrip", false,
                        "normalized", false, "special", type == Vocabulary.CONTROL));
            }
            vocab.put(t, id);
        }
        Map<String, Object> model = map("type", "BPE", "dropout", null, "unk_token", null, "continuing_subword_prefix", "",
                "end_of_word_suffix", "", "fuse_unk", false, "byte_fallback", false, "ignore_merges", ignoreMerges,
                "vocab", vocab, "merges", new ArrayList<Object>(v.merges()));
        Map<String, Object> f = map("version", "1.0", "truncation", null, "padding", null, "added_tokens", added,
                "normalizer", normalizer, "pre_tokenizer", pre, "post_processor", null,
                "decoder", map("type", "ByteLevel", "add_prefix_space", true, "trim_offsets", true, "use_regex", true));
        f.put("model", model);
        return f;
    }

    private static Map<String, Object> byteLevel(boolean useRegex) {
        return map("type", "ByteLevel", "add_prefix_space", false, "trim_offsets", true, "use_regex", useRegex);
    }

    private static Map<String, Object> split(String regex) {
        return map("type", "Split", "pattern", map("Regex", regex), "behavior", "Isolated", "invert", false);
    }

    private static Map<String, Object> sequence(Object... pre) {
        return map("type", "Sequence", "pretokenizers", List.of(pre));
    }

    /** An ordered JSON object from key, value pairs. */
    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
