package dev.kiln.packager.hf;

import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeStyle;
import dev.kiln.packager.ModelFormatException;
import dev.kiln.packager.Shared;
import dev.kiln.packager.gguf.GgufFile;
import dev.kiln.packager.gguf.GgufModel;
import dev.kiln.tokenizer.Tokenizer;
import dev.kiln.tokenizer.Vocabulary;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.MissingNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Byte-level tokenizer.json files → our vocabulary. GPT-2's vocabulary (from llama.cpp's vocab-only GGUF in
 * ../shared/models/tokenizers) written as a Hugging Face tokenizer.json in GPT-2's shape, read back by the packager and
 * run by our tokenizer, gives every line of llama.cpp's GPT-2 tokenizer test; Llama 3, Qwen2 and SmolLM2 shapes map to
 * the pre-tokenizer, normalizer and ignore_merges they configure; unknown settings are refused by name.
 */
class HfTokenizerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SEP = "\n__ggml_vocab_test__\n";

    /** GPT-2's tokens and merges from the GGUF, as the model section of a tokenizer.json. */
    static ObjectNode gpt2TokenizerJson(Vocabulary g) {
        ObjectNode t = JSON.createObjectNode();
        ObjectNode model = t.putObject("model");
        model.put("type", "BPE").put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < g.size(); i++) vocab.put(g.tokens().get(i), i);
        var merges = model.putArray("merges");
        for (String m : g.merges()) merges.addArray().add(m.substring(0, m.indexOf(' '))).add(m.substring(m.indexOf(' ') + 1));
        t.putArray("added_tokens").addObject().put("id", g.size() - 1).put("content", g.tokens().get(g.size() - 1)).put("special", true);
        t.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false).put("use_regex", true);
        t.putObject("decoder").put("type", "ByteLevel");
        return t;
    }

    static Vocabulary gpt2Gguf() throws IOException {
        try (GgufFile f = GgufFile.open(Shared.model("tokenizers/ggml-vocab-gpt-2.gguf"))) {
            return GgufModel.vocabulary(f, config(f.strings("tokenizer.ggml.tokens").size()));
        }
    }

    static ModelConfig config(int vocab) {
        return new ModelConfig("llama", 2, 1, 1, 1, 2, 1, vocab, 1e-5f, 10000f, RopeStyle.INTERLEAVED, 1, -1, -1, true);
    }

    static Vocabulary read(JsonNode tokenizerJson, int vocab) {
        return HfTokenizer.read("test", tokenizerJson, MissingNode.getInstance(), config(vocab));
    }

    @Test
    void gpt2TokenizerJsonGivesEveryLineOfLlamaCppsGpt2Test() throws IOException {
        Vocabulary g = gpt2Gguf();
        Vocabulary v = read(gpt2TokenizerJson(g), g.size());
        assertEquals("bpe", v.model());
        assertEquals(List.of("gpt-2"), v.pre());
        assertEquals(g.tokens(), v.tokens());
        assertEquals(g.merges(), v.merges());
        Path inp = Shared.model("tokenizers/ggml-vocab-gpt-2.gguf.inp");
        String all = Files.readString(inp);
        String[] texts = all.substring(0, all.length() - SEP.length()).split(SEP, -1);
        List<String> out = Files.readAllLines(inp.resolveSibling("ggml-vocab-gpt-2.gguf.out"));
        Tokenizer t = Tokenizer.of(Vocabulary.fromJson(v.toJson()));
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            int[] want = out.get(i).isBlank() ? new int[0] : Arrays.stream(out.get(i).trim().split("\\s+")).mapToInt(Integer::parseInt).toArray();
            int[] got = t.encode(texts[i], false);
            if (!Arrays.equals(want, got)) wrong.add(i + ": '" + texts[i] + "' got " + Arrays.toString(got) + " want " + Arrays.toString(want));
        }
        assertTrue(wrong.isEmpty(), wrong.size() + " of " + texts.length + " lines differ: " + wrong);
    }

    @Test
    void llama3ShapeRecordsItsSplitRegexAndIgnoreMerges() throws IOException {
        Vocabulary g = gpt2Gguf();
        ObjectNode t = gpt2TokenizerJson(g);
        ((ObjectNode) t.path("model")).put("ignore_merges", true);
        String regex = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}";
        ObjectNode pre = t.putObject("pre_tokenizer").put("type", "Sequence");
        pre.putArray("pretokenizers").add(JSON.createObjectNode().put("type", "Split").put("behavior", "Isolated").put("invert", false)
                .set("pattern", JSON.createObjectNode().put("Regex", regex)))
                .add(JSON.createObjectNode().put("type", "ByteLevel").put("add_prefix_space", false).put("use_regex", false));
        Vocabulary v = read(t, g.size());
        assertEquals(List.of(regex), v.pre());
        assertTrue(v.ignoreMerges());
        assertEquals("", v.normalizer());
    }

    @Test
    void qwen2ShapeRecordsNfc() throws IOException {
        Vocabulary g = gpt2Gguf();
        ObjectNode t = gpt2TokenizerJson(g);
        t.putObject("normalizer").put("type", "NFC");
        assertEquals(Vocabulary.NFC, read(t, g.size()).normalizer());
    }

    @Test
    void smolLm2ShapeSplitsDigitsFirst() throws IOException {
        Vocabulary g = gpt2Gguf();
        ObjectNode t = gpt2TokenizerJson(g);
        ObjectNode pre = t.putObject("pre_tokenizer").put("type", "Sequence");
        pre.putArray("pretokenizers").add(JSON.createObjectNode().put("type", "Digits").put("individual_digits", true))
                .add(JSON.createObjectNode().put("type", "ByteLevel").put("add_prefix_space", false).put("use_regex", true));
        assertEquals(List.of("\\p{N}", "gpt-2"), read(t, g.size()).pre());
    }

    @Test
    void unknownPreTokenizerIsRefusedByName() throws IOException {
        Vocabulary g = gpt2Gguf();
        ObjectNode t = gpt2TokenizerJson(g);
        ObjectNode pre = t.putObject("pre_tokenizer").put("type", "Sequence");
        pre.putArray("pretokenizers").add(JSON.createObjectNode().put("type", "Punctuation"))
                .add(JSON.createObjectNode().put("type", "ByteLevel"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> read(t, g.size()));
        assertTrue(e.getMessage().contains("'Punctuation'"), e.getMessage());
    }

    @Test
    void idsPastTheTokenizerButInsideTheModelVocabularyArePadding() throws IOException {
        Vocabulary g = gpt2Gguf();
        Vocabulary v = read(gpt2TokenizerJson(g), g.size() + 7);
        assertEquals(g.size() + 7, v.size());
        assertEquals("[PAD" + g.size() + "]", v.tokens().get(g.size()));
        assertEquals(Vocabulary.UNUSED, v.types()[g.size() + 6]);
        assertArrayEquals(Arrays.copyOf(g.types(), g.size()), Arrays.copyOf(v.types(), g.size()));
    }
}
