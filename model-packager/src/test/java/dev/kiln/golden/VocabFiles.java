package dev.kiln.golden;

import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeStyle;
import dev.kiln.packager.Shared;
import dev.kiln.packager.gguf.GgufFile;
import dev.kiln.packager.gguf.GgufModel;
import dev.kiln.tokenizer.Vocabulary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * llama.cpp's vocabulary test files in ../shared/models/tokenizers (provenance: ../shared/models/SOURCES.md): a
 * vocabulary-only GGUF, its {@code .inp} strings separated by "\n__ggml_vocab_test__\n" (which also ends the file),
 * and one {@code .out} line of ids per string (llama.cpp, add_special=false, parse_special=false).
 */
record VocabFiles(String name, Vocabulary vocab, List<String> texts, List<int[]> ids) {
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    static VocabFiles read(String name) throws IOException {
        Path gguf = Shared.model("tokenizers/" + name + ".gguf");
        String all = Files.readString(gguf.resolveSibling(name + ".gguf.inp"));
        if (!all.endsWith(SEPARATOR)) throw new IllegalStateException(name + ".gguf.inp does not end with the separator");
        List<String> texts = List.of(all.substring(0, all.length() - SEPARATOR.length()).split(SEPARATOR, -1));
        List<int[]> ids = Files.readAllLines(gguf.resolveSibling(name + ".gguf.out")).stream().map(VocabFiles::parse).toList();
        if (ids.size() != texts.size()) throw new IllegalStateException(name + ": " + ids.size() + " .out lines for " + texts.size() + " strings");
        return new VocabFiles(name, vocabulary(gguf), texts, ids);
    }

    /** The vocabulary through the packaged path: the packager's GGUF reading, then our tokenizer file codec. */
    static Vocabulary vocabulary(Path gguf) throws IOException {
        try (GgufFile f = GgufFile.open(gguf)) {
            // a vocabulary-only file has no llama.* tensors: the config carries just what vocabulary() reads
            int n = f.strings("tokenizer.ggml.tokens").size();
            int bos = id(f, "tokenizer.ggml.bos_token_id"), eos = id(f, "tokenizer.ggml.eos_token_id");
            ModelConfig c = new ModelConfig("llama", 2, 1, 1, 1, 2, 1, n, 1e-5f, 10000f, RopeStyle.INTERLEAVED, 1, bos, eos, true);
            return Vocabulary.fromJson(GgufModel.vocabulary(f, c).toJson());
        }
    }

    private static int id(GgufFile f, String key) {
        long v = f.optLong(key).orElse(-1L);
        return v == 0xFFFFFFFFL ? -1 : (int) v;
    }

    private static int[] parse(String line) {
        String s = line.trim();
        return s.isEmpty() ? new int[0] : Arrays.stream(s.split("\\s+")).mapToInt(Integer::parseInt).toArray();
    }
}
