package dev.kiln.packager.hf;

import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeStyle;
import dev.kiln.packager.ModelFormatException;
import dev.kiln.packager.Shared;
import dev.kiln.testsupport.SyntheticModel;
import dev.kiln.tokenizer.Vocabulary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chat template and the special-token texts it refers to, from tokenizer_config.json and from GGUF's
 * tokenizer.chat_template, kept in the packaged tokenizer file (optional keys: absent when there is none).
 */
class ChatTemplateTest {
    static final ObjectMapper JSON = new ObjectMapper();
    // ChatML as Qwen2.5 writes it (shortened): what a chat front end renders with Jinja
    static final String CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content']"
            + " + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    @TempDir Path tmp;

    static Vocabulary read(JsonNode tokenizerConfig) throws IOException {
        JsonNode tok = JSON.readTree(Files.readAllBytes(Shared.stories("hf/tokenizer.json")));
        ModelConfig c = new ModelConfig("llama", 2, 1, 1, 1, 2, 1, 512, 1e-5f, 10000f, RopeStyle.INTERLEAVED, 1, 1, 2, true);
        return HfTokenizer.read("test", tok, tokenizerConfig, c);
    }

    @Test
    void storiesTokenizerConfigHasNoTemplateButNamesItsSpecialTokens() throws IOException {
        Vocabulary v = read(JSON.readTree(Files.readAllBytes(Shared.stories("hf/tokenizer_config.json"))));
        assertEquals("", v.chatTemplate());
        assertEquals(Map.of("bos_token", "<s>", "eos_token", "</s>", "unk_token", "<unk>"), v.specialTokens());
        String json = v.toJson();
        assertFalse(json.contains("chat_template"), "no template, no key");
        assertEquals(json, Vocabulary.fromJson(json).toJson());
    }

    @Test
    void aStringTemplateAndAddedTokenObjectsAreRecorded() throws IOException {
        ObjectNode cfg = JSON.createObjectNode().put("chat_template", CHATML).put("bos_token", "<s>").putNull("pad_token");
        cfg.putObject("eos_token").put("content", "</s>").put("special", true);
        Vocabulary v = read(cfg);
        assertEquals(CHATML, v.chatTemplate());
        assertEquals(Map.of("bos_token", "<s>", "eos_token", "</s>"), v.specialTokens(), "a null pad_token is none");
        Vocabulary back = Vocabulary.fromJson(v.toJson());
        assertEquals(CHATML, back.chatTemplate());
        assertEquals(v.specialTokens(), back.specialTokens());
        assertEquals(v.toJson(), back.toJson());
    }

    @Test
    void aListOfNamedTemplatesRecordsTheDefaultOne() throws IOException {
        ObjectNode cfg = JSON.createObjectNode();
        cfg.putArray("chat_template").addObject().put("name", "tool_use").put("template", "{{ tools }}");
        ((tools.jackson.databind.node.ArrayNode) cfg.get("chat_template")).addObject().put("name", "default").put("template", CHATML);
        assertEquals(CHATML, read(cfg).chatTemplate());
        ObjectNode noDefault = JSON.createObjectNode();
        noDefault.putArray("chat_template").addObject().put("name", "tool_use").put("template", "{{ tools }}");
        assertEquals("", read(noDefault).chatTemplate(), "transformers needs a name then; none is recorded");
    }

    @Test
    void aTemplateOfAnotherJsonTypeIsRefused() {
        ObjectNode cfg = JSON.createObjectNode().put("chat_template", 3);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> read(cfg));
        assertTrue(e.getMessage().contains("chat_template"), e.getMessage());
    }

    @Test
    void aGgufWithoutATemplateKeepsItsTokenizerFileAsBefore() throws IOException {
        PackagedModel p = PackagedModel.pack(Shared.stories("stories260K.gguf"), tmp.resolve("gguf"));
        String file = Files.readString(p.dir().resolve(p.manifest().tokenizer()));
        assertFalse(file.contains("chat_template") || file.contains("special_tokens"), "no new keys without a template");
        assertEquals("", p.vocab().chatTemplate());
        assertTrue(p.vocab().specialTokens().isEmpty());
    }

    @Test
    void huggingFaceAndGgufTwinsPackageTheSameTemplateAndSpecialTokens() throws IOException {
        SyntheticModel t = new SyntheticModel(new SyntheticModel.Arch("qwen2", "qwen2", 32, 1, 4, 2, 0, 64, true, "F32", 1e6f, null, 0), 5);
        t.chatTemplate = CHATML;
        PackagedModel hf = PackagedModel.pack(t.writeHf(tmp.resolve("hf")), tmp.resolve("hf-pkg"));
        PackagedModel gguf = PackagedModel.pack(t.writeGguf(tmp.resolve("t.gguf")), tmp.resolve("gguf-pkg"));
        for (PackagedModel p : new PackagedModel[] {hf, gguf}) {
            assertEquals(CHATML, p.vocab().chatTemplate(), p.dir().toString());
            assertEquals(Map.of("bos_token", "<s>", "eos_token", "</s>", "unk_token", "<unk>"), p.vocab().specialTokens(), p.dir().toString());
        }
        assertTrue(Files.readString(gguf.dir().resolve(gguf.manifest().tokenizer())).contains("\"chat_template\""));
    }
}
