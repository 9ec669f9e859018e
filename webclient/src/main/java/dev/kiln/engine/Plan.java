package dev.kiln.engine;

import static dev.kiln.reference.Step.ATT;
import static dev.kiln.reference.Step.ATT_NORM;
import static dev.kiln.reference.Step.EMBED;
import static dev.kiln.reference.Step.FFN_NORM;
import static dev.kiln.reference.Step.FINAL_NORM;
import static dev.kiln.reference.Step.K;
import static dev.kiln.reference.Step.LOGITS;
import static dev.kiln.reference.Step.Q;
import static dev.kiln.reference.Step.QKV_BIAS;
import static dev.kiln.reference.Step.QK_NORM;
import static dev.kiln.reference.Step.ROPE;
import static dev.kiln.reference.Step.SILU_MUL;
import static dev.kiln.reference.Step.V;
import static dev.kiln.reference.Step.W1;
import static dev.kiln.reference.Step.W2;
import static dev.kiln.reference.Step.W3;
import static dev.kiln.reference.Step.WO;

import java.util.ArrayList;
import java.util.List;

import dev.kiln.gpu.Binding;
import dev.kiln.gpu.Bytes;
import dev.kiln.gpu.Dispatch;
import dev.kiln.gpu.Gpu;
import dev.kiln.model.DType;
import dev.kiln.model.Manifest;
import dev.kiln.model.ModelConfig;
import dev.kiln.model.RopeFrequencies;
import dev.kiln.model.TensorInfo;
import dev.kiln.model.TensorNames;
import dev.kiln.reference.Step;
import dev.kiln.shaders.Kernel;
import dev.kiln.shaders.Params;
import dev.kiln.shaders.StepUniform;
import org.teavm.jso.webgpu.GPUBuffer;

/**
 * Every dispatch of one token, built once at load and replayed unchanged: llama2.c's {@code forward()} as a list.
 * Per-token state is only the position, which a copy from {@link #stepTable} puts into the {@link #step} uniform
 * before each position's pass, so several positions fit in one submit and nothing is written or allocated per token.
 *
 * <pre>
 *   body  = EMBED; per layer: ATT_NORM, Q, K, V, [QKV_BIAS], [QK_NORM], ROPE, ATT, WO (x +=), FFN_NORM, W1, W3,
 *           SILU_MUL, W2 (x +=)                         ([…] only when the config's qkv_bias / qk_norm say so)
 *   head  = FINAL_NORM, LOGITS
 *   greedy tail = ARGMAX (tokens[pos+1]);  sampling tail = TOP_K (candidates for the Java sampler)
 * </pre>
 */
public final class Plan {
    final ModelConfig c;
    final List<Dispatch> body = new ArrayList<>();   // embed + all layers
    final List<Dispatch> head = new ArrayList<>();   // final norm + LM head
    final Dispatch argmax;
    final Dispatch topK;
    final List<Dispatch> argmaxPass; // one-dispatch passes, built once so the decode loop allocates no list
    final List<Dispatch> topKPass;
    final int k;                                     // candidates TOP_K returns

    // activations, f32
    final GPUBuffer x, xb, xb2, q, kb, v, att, hb, hb2, logits; // (dim) (max(dim,qDim)) (qDim) (qDim) (kvDim) (kvDim) (heads, context) (ffn) (ffn) (vocab)
    final GPUBuffer kCache, vCache;                  // (layers, context, kvDim) in the precision's kv type
    final GPUBuffer freqs;                           // (headSize/2) RoPE inverse frequencies, scaling applied
    final GPUBuffer tokens;                          // (context) u32 token ids
    final GPUBuffer step;                            // the Step uniform (16 bytes)
    final GPUBuffer stepTable;                       // (context) × 16 bytes: Step for every position
    final GPUBuffer topKOut;                         // (2 + 2k) u32
    final GPUBuffer readback;                        // map-readable copy target (logits-sized)

    private final Gpu gpu;
    private final PipelineCache pipelines;
    private final Manifest m;
    private final GPUBuffer[] shards;

    Plan(Gpu gpu, PipelineCache pipelines, Loader.Loaded model, int k) {
        this.gpu = gpu;
        this.pipelines = pipelines;
        this.m = model.manifest();
        this.shards = model.shards();
        this.c = m.config();
        this.k = Math.min(k, Math.min(Params.TopK.MAX_K, c.vocab()));
        int dim = c.dim(), qDim = c.qDim(), kvDim = c.kvDim(), context = c.context();
        x = act("x", dim);
        xb = act("xb", Math.max(dim, qDim));
        xb2 = act("xb2", qDim);
        q = act("q", qDim);
        kb = act("k", kvDim);
        v = act("v", kvDim);
        att = act("att", c.heads() * context);
        hb = act("hb", c.ffn());
        hb2 = act("hb2", c.ffn());
        logits = act("logits", c.vocab());
        long cacheBytes = (long) c.layers() * context * kvDim * pipelines.precision().kvBytes();
        cacheBytes = (cacheBytes + 3) & ~3L;
        kCache = gpu.storage("kCache", cacheBytes);
        vCache = gpu.storage("vCache", cacheBytes);
        freqs = gpu.storage("freqs", 4L * Math.max(4, c.headSize() / 2));
        gpu.write(freqs, 0, Bytes.of(RopeFrequencies.of(c)));
        tokens = gpu.storage("tokens", 4L * context);
        step = gpu.uniform("step", StepUniform.BYTES);
        stepTable = gpu.buffer("stepTable", (long) StepUniform.BYTES * context,
                org.teavm.jso.webgpu.GPUBuffer.Usage.COPY_SRC | org.teavm.jso.webgpu.GPUBuffer.Usage.COPY_DST);
        byte[] table = new byte[StepUniform.BYTES * context];
        for (int pos = 0; pos < context; pos++) System.arraycopy(StepUniform.bytes(pos), 0, table, pos * StepUniform.BYTES, StepUniform.BYTES);
        gpu.write(stepTable, 0, Bytes.of(table));
        Params.TopK topKParams = new Params.TopK(c.vocab(), this.k);
        topKOut = gpu.storage("topK", topKParams.outBytes());
        readback = gpu.readback("readback", Math.max(4L * c.vocab(), topKParams.outBytes()));

        // x = token_embd[tokens[pos]]
        add(body, EMBED, -1, Params.Embed.of(dtype(TensorNames.TOKEN_EMBD), c.vocab(), dim), dtype(TensorNames.TOKEN_EMBD),
                whole(tokens), weight(TensorNames.TOKEN_EMBD), whole(x), whole(step));
        for (int l = 0; l < c.layers(); l++) {
            int layerOffset = l * context * kvDim;
            // attention block: xb = rmsNorm(x); q, k, v = W·xb; rope; xb2 = attention; x += wo·xb2
            add(body, ATT_NORM, l, new Params.RmsNorm(dim, c.normEps()), null, whole(x), norm(TensorNames.attnNorm(l)), whole(xb));
            matVec(body, Q, l, TensorNames.attnQ(l), xb, q, false);
            matVec(body, K, l, TensorNames.attnK(l), xb, kb, false);
            matVec(body, V, l, TensorNames.attnV(l), xb, v, false);
            if (c.qkvBias()) {
                add(body, QKV_BIAS, l, new Params.QkvBias(c.qDim(), kvDim), null, whole(q), whole(kb), whole(v),
                        vector(TensorNames.attnQBias(l)), vector(TensorNames.attnKBias(l)), vector(TensorNames.attnVBias(l)));
            }
            if (c.qkNorm()) {
                add(body, QK_NORM, l, new Params.QkNorm(c.heads(), c.kvHeads(), c.headSize(), c.normEps()), null, whole(q),
                        whole(kb), vector(TensorNames.attnQNorm(l)), vector(TensorNames.attnKNorm(l)));
            }
            add(body, ROPE, l, new Params.Rope(c.heads(), c.kvHeads(), c.headSize(), c.ropeStyle(), layerOffset,
                    c.ropeScaling().attentionFactor()),
                    null, whole(q), whole(kb), whole(v), whole(freqs), whole(kCache), whole(vCache), whole(step));
            add(body, ATT, l, new Params.Attention(c.heads(), c.kvHeads(), c.headSize(), context, layerOffset),
                    null, whole(q), whole(kCache), whole(vCache), whole(att), whole(xb2), whole(step));
            matVec(body, WO, l, TensorNames.attnOutput(l), xb2, x, true);
            // feed-forward block: xb = rmsNorm(x); hb = silu(w1·xb) * (w3·xb); x += w2·hb
            add(body, FFN_NORM, l, new Params.RmsNorm(dim, c.normEps()), null, whole(x), norm(TensorNames.ffnNorm(l)), whole(xb));
            matVec(body, W1, l, TensorNames.ffnGate(l), xb, hb, false);
            matVec(body, W3, l, TensorNames.ffnUp(l), xb, hb2, false);
            add(body, SILU_MUL, l, new Params.SiluMul(c.ffn()), null, whole(hb), whole(hb2));
            matVec(body, W2, l, TensorNames.ffnDown(l), hb, x, true);
        }
        // xb = rmsNorm(x, output_norm); logits = output · xb
        add(head, FINAL_NORM, -1, new Params.RmsNorm(dim, c.normEps()), null, whole(x), norm(TensorNames.OUTPUT_NORM), whole(xb));
        matVec(head, LOGITS, -1, lmHead(), xb, logits, false);
        argmax = dispatch("ARGMAX", new Params.Argmax(c.vocab()), null, List.of(whole(logits), whole(tokens), whole(step)));
        topK = dispatch("TOP_K", topKParams, null, List.of(whole(logits), whole(topKOut), whole(step)));
        argmaxPass = List.of(argmax);
        topKPass = List.of(topK);
    }

    /** Dispatches per token (body + head + one tail). */
    int dispatchesPerToken() { return body.size() + head.size() + 1; }

    private String lmHead() {
        return m.hasTensor(TensorNames.OUTPUT) && !c.tiedEmbeddings() ? TensorNames.OUTPUT : TensorNames.TOKEN_EMBD;
    }

    private void matVec(List<Dispatch> into, Step s, int layer, String tensor, GPUBuffer in, GPUBuffer out, boolean accumulate) {
        TensorInfo t = m.tensor(tensor);
        add(into, s, layer, Params.MatVec.of(t.dtype(), (int) t.rows(), (int) t.cols(), accumulate), t.dtype(),
                weight(tensor), whole(in), whole(out));
    }

    /** One dispatch of {@code p.kernel()}: its buffers in slot order, then its own Params uniform. */
    private void add(List<Dispatch> into, Step s, int layer, Params p, DType weights, Binding... buffers) {
        into.add(dispatch(s.name() + (layer >= 0 ? "/L" + layer : ""), p, weights, List.of(buffers)));
    }

    private Dispatch dispatch(String label, Params p, DType weights, List<Binding> buffers) {
        byte[] bytes = p.bytes();
        GPUBuffer uniform = gpu.uniform(label + "/params", bytes.length);
        gpu.write(uniform, 0, Bytes.of(bytes));
        List<Binding> all = new ArrayList<>(buffers);
        all.add(Binding.whole(uniform));
        if (all.size() != p.kernel().bindings().size()) {
            throw new IllegalStateException(label + ": " + all.size() + " bindings for " + p.kernel() + " which declares "
                    + p.kernel().bindings().size());
        }
        int[] wg = p.workgroups();
        return Dispatch.of(gpu, label, pipelines.get(p.kernel(), weights), all, wg[0], wg[1], wg[2]);
    }

    private DType dtype(String tensor) { return m.tensor(tensor).dtype(); }

    private Binding weight(String tensor) {
        TensorInfo t = m.tensor(tensor);
        return new Binding(shards[t.shard()], t.offset(), t.length());
    }

    /** A norm weight: RMS_NORM reads it as array&lt;f32&gt;. */
    private Binding norm(String tensor) { return vector(tensor); }

    /** A 1-D tensor (norm weight, bias): the kernels read these as array&lt;f32&gt;. */
    private Binding vector(String tensor) {
        TensorInfo t = m.tensor(tensor);
        if (t.dtype() != DType.F32) {
            throw new IllegalArgumentException("1-D tensor " + tensor + " is " + t.dtype().id() + " but the engine reads"
                    + " norms and biases as f32: re-package the model (the packager keeps 1-D tensors in f32)");
        }
        return weight(tensor);
    }

    private Binding whole(GPUBuffer b) { return Binding.whole(b); }

    private GPUBuffer act(String name, int floats) { return gpu.storage(name, 4L * floats); }
}
