package dev.kiln.packager.hf;

import dev.kiln.model.ModelConfig;
import dev.kiln.packager.ModelFormatException;
import dev.kiln.packager.ModelSource;
import dev.kiln.packager.gguf.GgufNames;
import dev.kiln.tokenizer.Vocabulary;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A Hugging Face checkpoint ({@code config.json}, {@code model.safetensors} or sharded {@code model-*.safetensors} with
 * {@code model.safetensors.index.json}, {@code tokenizer.json}, {@code tokenizer_config.json},
 * {@code generation_config.json}) as a {@link ModelSource}. Tensors are listed in input order (safetensors files in
 * name order, each by offset), so a stream reads each file once, front to back. Only headers and JSON are held in
 * memory; {@link #read} fetches one tensor and applies its row work: the RoPE permutation of q/k and the split of
 * fused projections.
 */
public final class HfSource implements ModelSource {
    public static final String CONFIG = "config.json", INDEX = "model.safetensors.index.json", SINGLE = "model.safetensors",
            TOKENIZER = "tokenizer.json", TOKENIZER_CONFIG = "tokenizer_config.json", GENERATION_CONFIG = "generation_config.json";

    private record Planned(Tensor tensor, SafetensorsTensor from, HfNames.Part part) {}

    private final HfFiles files;
    private final HfConfig hf;
    private final Vocabulary vocab;
    private final List<Tensor> tensors = new ArrayList<>();
    private final Map<String, Planned> plan = new HashMap<>();

    private HfSource(HfFiles files) throws IOException {
        this.files = files;
        String where = files.label();
        JsonNode config = json(CONFIG).orElseThrow(() -> new ModelFormatException(where + ": no " + CONFIG
                + " (a Hugging Face model directory holds config.json, model.safetensors and tokenizer.json)"));
        List<SafetensorsTensor> all = new ArrayList<>();
        for (String f : safetensorsFiles(where)) all.addAll(Safetensors.header(files, f));
        Map<String, SafetensorsTensor> byName = new LinkedHashMap<>();
        for (SafetensorsTensor t : all) {
            if (byName.put(t.name(), t) != null) throw new ModelFormatException(where + ": tensor '" + t.name() + "' appears in two files");
        }
        checkIndex(where, byName);
        SafetensorsTensor embed = byName.get(HfNames.EMBED);
        if (embed == null || embed.shape().length != 2) {
            throw new ModelFormatException(where + ": tensor '" + HfNames.EMBED + "' is missing or not a matrix");
        }
        boolean hasHead = byName.containsKey(HfNames.LM_HEAD);
        boolean tieFlag = config.path("tie_word_embeddings").asBoolean(false);
        if (!tieFlag && !hasHead) {
            throw new ModelFormatException(where + ": config.json says tie_word_embeddings false but there is no '"
                    + HfNames.LM_HEAD + "': the checkpoint is incomplete");
        }
        JsonNode gen = json(GENERATION_CONFIG).orElse(MissingNode.getInstance());
        this.hf = HfConfig.read(where, config, gen, embed.shape()[0], tieFlag);
        ModelConfig c = hf.config();
        for (SafetensorsTensor t : all) {
            List<HfNames.Part> parts = HfNames.map(t.name(), c, where);
            long rows = t.shape().length == 1 ? 1 : t.shape()[0];
            long cols = t.shape()[t.shape().length - 1];
            long partRows = 0;
            for (HfNames.Part p : parts) {
                long[] shape = GgufNames.shapeOf(p.ours(), c);
                long[] got = parts.size() == 1 ? t.shape() : new long[] {p.rows(), cols};
                if (t.shape().length > 2 || !Arrays.equals(got, shape)) {
                    throw new ModelFormatException(where + ": tensor '" + t.name() + "' has shape " + Arrays.toString(t.shape())
                            + " but config.json implies " + Arrays.toString(shape) + " for " + p.ours()
                            + (parts.size() > 1 ? " (rows " + p.rowFrom() + ".." + (p.rowFrom() + p.rows()) + ")" : ""));
                }
                partRows += p.rows();
                Tensor ours = new Tensor(p.ours(), shape, t.type());
                tensors.add(ours);
                plan.put(p.ours(), new Planned(ours, t, p));
            }
            if (!parts.isEmpty() && partRows != rows) {
                throw new ModelFormatException(where + ": tensor '" + t.name() + "' has " + rows + " rows but config.json implies " + partRows);
            }
        }
        for (String g : GgufNames.required(c)) {
            String ours = g.endsWith(".bias") ? g.substring(0, g.length() - ".bias".length()) + "_bias"
                    : g.substring(0, g.length() - ".weight".length());
            if (!plan.containsKey(ours)) throw new ModelFormatException(where + ": no tensor provides '" + ours + "' (see HfNames for the Hugging Face names)");
        }
        JsonNode tok = json(TOKENIZER).orElseThrow(() -> new ModelFormatException(where + ": no " + TOKENIZER
                + " (Kiln reads the tokenizer from tokenizer.json)"));
        Vocabulary v = HfTokenizer.read(where, tok, json(TOKENIZER_CONFIG).orElse(MissingNode.getInstance()), c);
        int[] eos = HfConfig.eosIds(where, config, gen, c.vocab());
        // only when they say more than "eos", so files of single-EOS models keep their bytes
        this.vocab = Arrays.equals(eos, v.endOfGeneration()) || eos.length == 0 ? v : v.withEog(eos);
    }

    /** Opens and validates a checkpoint; {@code files} is closed with the source (or now, on failure). */
    public static HfSource open(HfFiles files) throws IOException {
        try {
            return new HfSource(files);
        } catch (IOException | RuntimeException e) {
            files.close();
            throw e;
        }
    }

    /** What was adapted while reading config.json (empty when nothing). */
    public String note() { return hf.note(); }

    @Override public String name() { return files.name(); }

    @Override public ModelConfig config() { return hf.config(); }

    @Override public Vocabulary vocabulary() { return vocab; }

    @Override public List<Tensor> tensors() { return tensors; }

    @Override
    public byte[] read(Tensor t) throws IOException {
        Planned p = plan.get(t.name());
        long cols = t.shape()[t.shape().length - 1];
        long rowBytes = t.type().byteSize(cols);
        long len = p.part().rows() * rowBytes;
        if (len > Integer.MAX_VALUE - 16) {
            throw new ModelFormatException(files.label() + ": tensor '" + p.from().name() + "' has " + len + " bytes; Kiln reads tensors of at most 2 GiB");
        }
        byte[] b = files.read(p.from().file(), p.from().begin() + p.part().rowFrom() * rowBytes, (int) len);
        ModelConfig c = hf.config();
        // a matrix permutes whole rows; a bias or a per-head norm weight (1-D) permutes its elements the same way
        int unit = t.shape().length == 1 ? (int) t.type().byteSize(1) : (int) rowBytes;
        return switch (p.part().rope()) {
            case NONE -> b;
            case Q -> unpermute(b, c.heads(), c.headSize(), unit);
            case K -> unpermute(b, c.kvHeads(), c.headSize(), unit);
            case HEAD -> unpermute(b, 1, c.headSize(), unit);
        };
    }

    /**
     * Hugging Face stores each head's q/k rows for RoPE over pairs (i, i + hs/2); llama.cpp's convert_hf_to_gguf
     * {@code permute} reorders them for pairs (2i, 2i+1). Per head: our row {@code 2i + j} = their row {@code j*hs/2 + i}
     * (i < hs/2, j ∈ {0, 1}), the same rows GGUF files hold.
     */
    static byte[] unpermute(byte[] in, int heads, int hs, int rowBytes) {
        byte[] out = new byte[in.length];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < hs / 2; i++) {
                for (int j = 0; j < 2; j++) {
                    System.arraycopy(in, (h * hs + j * (hs / 2) + i) * rowBytes, out, (h * hs + 2 * i + j) * rowBytes, rowBytes);
                }
            }
        }
        return out;
    }

    private List<String> safetensorsFiles(String where) throws IOException {
        Optional<JsonNode> index = json(INDEX);
        if (index.isEmpty()) {
            if (files.size(SINGLE).isEmpty()) {
                throw new ModelFormatException(where + ": neither " + SINGLE + " nor " + INDEX + " is present (Kiln reads"
                        + " safetensors checkpoints; convert pytorch_model.bin first)");
            }
            return List.of(SINGLE);
        }
        JsonNode map = index.get().path("weight_map");
        if (!map.isObject() || map.isEmpty()) throw new ModelFormatException(where + ": " + INDEX + " has no weight_map");
        TreeSet<String> names = new TreeSet<>();
        for (JsonNode f : map.values()) names.add(f.asString(""));
        for (String f : names) {
            if (f.isEmpty() || f.contains("/") || f.contains("\\") || f.startsWith(".")) {
                throw new ModelFormatException(where + ": " + INDEX + " names the file '" + f + "', expected a plain name beside it");
            }
            if (files.size(f).isEmpty()) throw new ModelFormatException(where + ": " + INDEX + " names '" + f + "', which is missing");
        }
        return List.copyOf(names);
    }

    /** Every tensor the index names is in the file it names. */
    private void checkIndex(String where, Map<String, SafetensorsTensor> byName) throws IOException {
        Optional<JsonNode> index = json(INDEX);
        if (index.isEmpty()) return;
        for (Map.Entry<String, JsonNode> e : index.get().path("weight_map").properties()) {
            SafetensorsTensor t = byName.get(e.getKey());
            if (t == null || !t.file().equals(e.getValue().asString())) {
                throw new ModelFormatException(where + ": " + INDEX + " puts '" + e.getKey() + "' in " + e.getValue()
                        + " but " + (t == null ? "no file holds it" : t.file() + " does"));
            }
        }
    }

    private Optional<JsonNode> json(String name) throws IOException {
        Optional<byte[]> b = files.readAll(name);
        if (b.isEmpty()) return Optional.empty();
        try {
            return Optional.of(Safetensors.JSON.readTree(b.get()));
        } catch (JacksonException e) {
            throw new ModelFormatException(files.label() + "/" + name + " is not valid JSON (" + e.getOriginalMessage() + ")");
        }
    }

    @Override public void close() throws IOException { files.close(); }
}
