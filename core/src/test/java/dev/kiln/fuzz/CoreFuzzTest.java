package dev.kiln.fuzz;

import dev.kiln.json.Json;
import dev.kiln.json.JsonException;
import dev.kiln.model.DType;
import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeStyle;
import dev.kiln.model.ShardInfo;
import dev.kiln.model.TensorInfo;
import dev.kiln.tokenizer.Vocabulary;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Fuzz targets of core's readers of outside input: the JSON reader, the manifest and the tokenizer file ({@link Fuzz}). */
class CoreFuzzTest {

    /** JSON tokens worth inserting: nesting, escapes, numbers at the edges of double and long. */
    static final List<byte[]> JSON_TOKENS = List.of("{", "}", "[", "]", "\"", "\\u", "\\uzz", "\\ud800", ":", ",", "-",
            "1e999999", "-0", "1.7976931348623157e309", "9223372036854775808", "99999999999999999999999", "null", "true",
            "NaN", "\"\\", "[[[[[[[[", "{\"a\":", "\u0000", "\uFFFF", "\u00e9").stream().map(Fuzz::utf8).toList();

    static final ModelConfig CONFIG = new ModelConfig("llama", 16, 1, 2, 1, 8, 32, 8, 1e-5f, 10000f,
            RopeStyle.INTERLEAVED, 32, 1, 2, true);

    static String manifestSeed() {
        TensorInfo t = new TensorInfo("tok_embeddings", new long[] {32, 16}, DType.F32, 0, 0, 32 * 16 * 4);
        return new Manifest("m", CONFIG, "tokenizer-0.json", List.of(t), List.of(new ShardInfo("shard-00000-0.bin", 4096, "00"))).toJson();
    }

    static String vocabularySeed() {
        return new Vocabulary("bpe", List.of("a", "b", "ab", "<s>"), new float[0], new int[] {1, 1, 1, 3}, List.of("a b"),
                3, 3, -1, true, false, List.of("\\s+"), "nfc", false).toJson();
    }

    static String string(byte[] b) { return new String(b, StandardCharsets.UTF_8); }

    @Test
    void theJsonReaderReturnsOrThrowsAJsonException() throws Exception {
        List<byte[]> seeds = List.of(Fuzz.utf8(manifestSeed()), Fuzz.utf8(vocabularySeed()),
                Fuzz.utf8("{\"a\":[1,-2.5e3,\"x\\n\\u00e9\",true,false,null,{}]}"), Fuzz.utf8("[]"));
        Fuzz.run("json", seeds, JSON_TOKENS, b -> {
            Object v = Json.parse(string(b));
            if (v instanceof Map || v instanceof List) Json.parse(Json.write(v)); // what it reads it can write back
        }, JsonException.class);
    }

    @Test
    void theManifestReaderReturnsOrThrowsATypedInputError() throws Exception {
        Fuzz.run("manifest", List.of(Fuzz.utf8(manifestSeed())), JSON_TOKENS, b -> Manifest.fromJson(string(b)),
                JsonException.class, IllegalArgumentException.class); // both documented by fromJson, both "bad input" to the CLI
    }

    @Test
    void theTokenizerFileReaderReturnsOrThrowsATypedInputError() throws Exception {
        Fuzz.run("kiln-tokenizer", List.of(Fuzz.utf8(vocabularySeed())), JSON_TOKENS, b -> Vocabulary.fromJson(string(b)),
                JsonException.class, IllegalArgumentException.class);
    }
}
