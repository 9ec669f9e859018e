package dev.kiln.golden;

import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Hugging Face's own JavaScript tokenizer (npm {@code @huggingface/tokenizers}, pure JS) run by
 * {@code node/hf-tokenize.mjs} on a tokenizer.json: the reference our tokenizers are compared with.
 */
final class HfReference {
    private HfReference() {}

    /** What the reference gave for each text: ids, and the decoding of those ids with special tokens skipped. */
    record Result(List<int[]> ids, List<String> decoded) {}

    /** Encodes {@code texts} with add_special_tokens=false (added tokens in the text are still matched). */
    static Result encode(Map<String, Object> tokenizerJson, Map<String, Object> config, List<String> texts) throws IOException, InterruptedException {
        File node = new File(root(), "node");
        if (!new File(node, "node_modules/@huggingface/tokenizers/package.json").isFile()) {
            throw new IllegalStateException("Hugging Face's JS tokenizer is not installed (" + node
                    + "/node_modules/@huggingface/tokenizers is missing): run './kiln setup' in the repository root");
        }
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("tokenizer", tokenizerJson);
        req.put("config", config);
        req.put("texts", new ArrayList<Object>(texts));
        req.put("add_special_tokens", false);
        req.put("skip_special_tokens", true); // as our decode does: control tokens print nothing
        Process p;
        try {
            p = new ProcessBuilder("node", "hf-tokenize.mjs").directory(node).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start 'node' (is Node 20+ on the PATH? run './kiln setup'): " + e.getMessage(), e);
        }
        try (OutputStream in = p.getOutputStream()) {
            in.write(Json.write(req).getBytes(StandardCharsets.UTF_8));
        }
        String out;
        try (InputStream s = p.getInputStream()) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            s.transferTo(b);
            out = b.toString(StandardCharsets.UTF_8);
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("node hf-tokenize.mjs did not finish within 60 s");
        }
        JsonObject o = JsonObject.of(Json.parse(out), "hf-tokenize.mjs answer");
        if (!o.bool("ok", false)) throw new IllegalStateException("hf-tokenize.mjs failed: " + o.string("error", out));
        List<int[]> ids = new ArrayList<>();
        for (Object row : o.array("ids")) {
            List<?> r = (List<?>) row;
            int[] a = new int[r.size()];
            for (int i = 0; i < a.length; i++) a[i] = ((Double) r.get(i)).intValue();
            ids.add(a);
        }
        List<String> decoded = new ArrayList<>();
        for (Object d : o.array("decoded")) decoded.add((String) d);
        return new Result(ids, decoded);
    }

    /** The repository root: system property {@code kiln.root} (set by the parent pom), else the nearest folder up with node/. */
    private static File root() {
        String prop = System.getProperty("kiln.root");
        if (prop != null && new File(prop, "node").isDirectory()) return new File(prop);
        for (File d = new File("").getAbsoluteFile(); d != null; d = d.getParentFile()) {
            if (new File(d, "node/package.json").isFile()) return d;
        }
        throw new IllegalStateException("cannot find the repository root (a folder with node/) above "
                + new File("").getAbsolutePath() + "; set -Dkiln.root");
    }
}
