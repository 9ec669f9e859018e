package dev.kiln.model;

import dev.kiln.json.Json;
import dev.kiln.json.JsonException;
import dev.kiln.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A packaged model: {@code manifest.json} beside its shards and tokenizer file. This class is the one definition of
 * the format (docs/format.md describes it); the packager writes it, the engine and the CPU reference read it.
 *
 * @param name      human-readable model name
 * @param config    hyper-parameters
 * @param tokenizer file name of the tokenizer data (our {@code tokenizer-<hash>.json}), relative to the manifest
 * @param tensors   every tensor, in the order the packager wrote them
 * @param shards    shard files
 */
public record Manifest(String name, ModelConfig config, String tokenizer, List<TensorInfo> tensors,
                       List<ShardInfo> shards) {

    /** Magic string of the {@code format} field. */
    public static final String FORMAT = "kiln-model";
    /**
     * Newest format version this code writes and reads. A manifest says the lowest version that describes it
     * ({@link #versionOf}), so a model without version-2 features keeps the bytes older readers accept; readers
     * refuse versions above this one.
     */
    public static final int VERSION = 2;
    /** Tensor byte offsets inside a shard are multiples of this (WebGPU's minStorageBufferOffsetAlignment). */
    public static final int ALIGNMENT = 256;

    public TensorInfo tensor(String name) {
        for (TensorInfo t : tensors) if (t.name().equals(name)) return t;
        throw new IllegalArgumentException("the manifest has no tensor '" + name + "'");
    }

    public boolean hasTensor(String name) {
        for (TensorInfo t : tensors) if (t.name().equals(name)) return true;
        return false;
    }

    /** Sum of all shard sizes: what a browser downloads (plus the small tokenizer file). */
    public long weightBytes() {
        long n = 0;
        for (ShardInfo s : shards) n += s.size();
        return n;
    }

    // ---- JSON codec ----

    public String toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", FORMAT);
        root.put("version", versionOf(config));
        root.put("name", name);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architecture", config.architecture());
        c.put("dim", config.dim());
        c.put("layers", config.layers());
        c.put("heads", config.heads());
        c.put("kv_heads", config.kvHeads());
        c.put("head_size", config.headSize());
        c.put("ffn", config.ffn());
        c.put("vocab", config.vocab());
        c.put("norm_eps", (double) config.normEps());
        c.put("rope_base", (double) config.ropeBase());
        c.put("rope_style", config.ropeStyle().id());
        c.put("context", config.context());
        c.put("bos", config.bos());
        c.put("eos", config.eos());
        c.put("tied_embeddings", config.tiedEmbeddings());
        // architecture flags: written only when set, so a plain llama's manifest is unchanged
        if (config.qkvBias()) c.put("qkv_bias", true);
        if (config.qkNorm()) c.put("qk_norm", true);
        RopeScaling rs = config.ropeScaling();
        if (rs.type() != RopeScaling.Type.NONE) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("type", rs.type().id());
            if (rs.type() != RopeScaling.Type.FACTORS && rs.type() != RopeScaling.Type.LONGROPE) r.put("factor", (double) rs.factor());
            if (rs.type() == RopeScaling.Type.LLAMA3) {
                r.put("low_freq_factor", (double) rs.lowFreqFactor());
                r.put("high_freq_factor", (double) rs.highFreqFactor());
                r.put("original_context", rs.originalContext());
            }
            if (rs.type() == RopeScaling.Type.FACTORS) r.put("factors", numbers(rs.factors()));
            if (rs.type() == RopeScaling.Type.LONGROPE) {
                r.put("short_factors", numbers(rs.factors()));
                r.put("long_factors", numbers(rs.longFactors()));
                r.put("original_context", rs.originalContext());
                r.put("attention_factor", (double) rs.attentionFactor());
            }
            c.put("rope_scaling", r);
        }
        root.put("config", c);
        root.put("tokenizer", tokenizer);
        List<Object> ts = new ArrayList<>();
        for (TensorInfo t : tensors) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", t.name());
            List<Object> shape = new ArrayList<>();
            for (long d : t.shape()) shape.add(d);
            m.put("shape", shape);
            m.put("dtype", t.dtype().id());
            m.put("shard", t.shard());
            m.put("offset", t.offset());
            m.put("length", t.length());
            ts.add(m);
        }
        root.put("tensors", ts);
        List<Object> ss = new ArrayList<>();
        for (ShardInfo s : shards) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", s.file());
            m.put("size", s.size());
            m.put("sha256", s.sha256());
            ss.add(m);
        }
        root.put("shards", ss);
        return Json.writePretty(root);
    }

    /**
     * The lowest format version that describes this config: 2 for LongRoPE (a version-1 reader would refuse its
     * scaling type anyway, but by version it says "re-package" or "update" before reading further), else 1.
     */
    public static int versionOf(ModelConfig config) {
        return config.ropeScaling().type() == RopeScaling.Type.LONGROPE ? 2 : 1;
    }

    private static List<Object> numbers(List<Float> values) {
        List<Object> out = new ArrayList<>();
        for (Float v : values) out.add((double) v);
        return out;
    }

    /** Reads and validates a manifest; every problem is a {@link JsonException} or {@link IllegalArgumentException} naming the field. */
    public static Manifest fromJson(String text) {
        JsonObject root = JsonObject.of(Json.parse(text), "manifest");
        if (!FORMAT.equals(root.string("format", ""))) {
            throw new JsonException("not a Kiln manifest: field 'format' must be \"" + FORMAT + "\"");
        }
        int version = root.integer("version");
        if (version < 1 || version > VERSION) {
            throw new JsonException("unsupported manifest version " + version + ", expected 1–" + VERSION
                    + ": re-package the model with this version of Kiln");
        }
        JsonObject c = root.object("config");
        ModelConfig config = new ModelConfig(c.string("architecture"), c.integer("dim"), c.integer("layers"),
                c.integer("heads"), c.integer("kv_heads"), c.integer("head_size"), c.integer("ffn"),
                c.integer("vocab"), (float) c.number("norm_eps"), (float) c.number("rope_base"),
                RopeStyle.fromId(c.string("rope_style")), c.integer("context"), c.integer("bos", -1),
                c.integer("eos", -1), c.bool("tied_embeddings", false), c.bool("qkv_bias", false),
                c.bool("qk_norm", false), c.has("rope_scaling") ? ropeScaling(c.object("rope_scaling")) : RopeScaling.NONE);
        List<ShardInfo> shards = new ArrayList<>();
        for (Object o : root.array("shards")) {
            JsonObject s = JsonObject.of(o, "manifest.shards[" + shards.size() + "]");
            shards.add(new ShardInfo(safeFile(s.string("file")), s.longInteger("size"), s.string("sha256")));
        }
        List<TensorInfo> tensors = new ArrayList<>();
        for (Object o : root.array("tensors")) {
            JsonObject t = JsonObject.of(o, "manifest.tensors[" + tensors.size() + "]");
            List<Object> dims = t.array("shape");
            if (dims.isEmpty() || dims.size() > 2) throw new JsonException(t.where() + ": shape must have 1 or 2 dimensions");
            long[] shape = new long[dims.size()];
            for (int k = 0; k < shape.length; k++) shape[k] = (long) JsonObject.numberAt(dims, k, t.where() + ": shape");
            TensorInfo info = new TensorInfo(t.string("name"), shape, DType.fromId(t.string("dtype")),
                    t.integer("shard"), t.longInteger("offset"), t.longInteger("length"));
            validate(info, shards, t.where());
            tensors.add(info);
        }
        return new Manifest(root.string("name", "model"), config, safeFile(root.string("tokenizer")), tensors, shards);
    }

    private static RopeScaling ropeScaling(JsonObject r) {
        RopeScaling.Type type = RopeScaling.Type.fromId(r.string("type"));
        return switch (type) {
            case NONE -> RopeScaling.NONE;
            case LINEAR -> RopeScaling.linear((float) r.number("factor"));
            case LLAMA3 -> RopeScaling.llama3((float) r.number("factor"), (float) r.number("low_freq_factor"),
                    (float) r.number("high_freq_factor"), r.integer("original_context"));
            case FACTORS -> RopeScaling.factors(floats(r, "factors"));
            case LONGROPE -> RopeScaling.longrope(floats(r, "short_factors"), floats(r, "long_factors"),
                    r.integer("original_context"), (float) r.number("attention_factor"));
        };
    }

    private static List<Float> floats(JsonObject o, String key) {
        List<Float> out = new ArrayList<>();
        for (Object v : o.array(key)) {
            if (!(v instanceof Double)) throw new JsonException(o.where() + ": field '" + key + "' must be an array of numbers");
            out.add(((Double) v).floatValue());
        }
        return out;
    }

    private static void validate(TensorInfo t, List<ShardInfo> shards, String where) {
        if (t.shard() < 0 || t.shard() >= shards.size()) throw new JsonException(where + ": shard " + t.shard() + " does not exist");
        if (t.offset() % ALIGNMENT != 0) throw new JsonException(where + ": offset " + t.offset() + " is not aligned to " + ALIGNMENT);
        long expected = t.dtype().byteSize(t.rows(), t.cols());
        if (t.length() != expected) throw new JsonException(where + ": length " + t.length() + " but " + t.dtype().id() + " " + t.rows() + "x" + t.cols() + " needs " + expected);
        if (t.offset() + t.length() > shards.get(t.shard()).size()) throw new JsonException(where + ": bytes past the end of shard " + t.shard());
    }

    /** File names in a manifest are plain names beside it: no directories, no traversal. */
    private static String safeFile(String f) {
        if (f.isEmpty() || f.contains("/") || f.contains("\\") || f.startsWith(".")) {
            throw new JsonException("file name '" + f + "' in the manifest must be a plain name beside it");
        }
        return f;
    }
}
