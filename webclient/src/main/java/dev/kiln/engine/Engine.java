package dev.kiln.engine;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import dev.kiln.generate.GenerationRequest;
import dev.kiln.chat.StopConditions;
import dev.kiln.gpu.Bytes;
import dev.kiln.gpu.Dispatch;
import dev.kiln.gpu.Encoder;
import dev.kiln.gpu.Gpu;
import dev.kiln.model.ModelConfig;
import dev.kiln.sample.Penalties;
import dev.kiln.sample.Sampler;
import dev.kiln.shaders.Params;
import dev.kiln.shaders.Precision;
import dev.kiln.shaders.StepUniform;
import dev.kiln.tokenizer.Tokenizer;
import dev.kiln.tokenizer.Utf8Stream;
import org.teavm.jso.JSBody;

/**
 * A loaded model on one GPU device: {@link #load} fetches, verifies and uploads it and builds the {@link Plan};
 * {@link #generate} runs prefill and the decode loop. Per token: one submit (a step copy, the plan's dispatches, a
 * 4-byte readback of {@code tokens[pos + 1]} for greedy, or the top-K candidates for the Java {@link Sampler}).
 * All methods suspend: call them on a TeaVM thread.
 */
public final class Engine {

    /** Receives each generated token and the text it completed. */
    @FunctionalInterface
    public interface TokenListener {
        void token(int id, String text);
    }

    private Gpu gpu;                                       // replaced when a lost device is recovered
    private Loader.Loaded model;                           // its shards: buffers on the current gpu
    private final Precision precision;
    private Plan plan;
    private final java.util.Map<dev.kiln.shaders.Kernel, String> kernels; // a developer's replaced kernels
    private String recovered = "";                         // what the last recovery did (empty: none yet)
    private int recoveries;
    private final double loadMs;
    private final double compileMs;
    private final ByteBuffer oneWord = Bytes.direct(4);   // a sampled id on its way into tokens[pos + 1]
    private final int[] words;                             // readback scratch: (2 + 2k) u32
    private final int[] candidateIds;                      // (k)
    private final float[] candidateLogits;                 // (k)
    private volatile boolean stopRequested;
    private boolean closed;
    private final int[] cached;                            // (context) the ids whose K/V the cache holds, 0..cachedLength-1
    private int cachedLength;
    private Penalties penalties;                            // of the running generate; null without penalties

    private Engine(Gpu gpu, Loader.Loaded model, Precision precision, Plan plan, double loadMs, double compileMs,
                   java.util.Map<dev.kiln.shaders.Kernel, String> kernels) {
        this.gpu = gpu;
        this.compileMs = compileMs;
        this.kernels = kernels;
        this.model = model;
        this.precision = precision;
        this.plan = plan;
        this.loadMs = loadMs;
        this.words = new int[Math.max(2 + 2 * plan.k, 1)];
        this.candidateIds = new int[plan.k];
        this.candidateLogits = new float[plan.k];
        this.cached = new int[plan.c.context()];
    }

    /**
     * Requests the GPU, loads the model at {@code manifestUrl} and builds the plan.
     *
     * @param wanted "f16", "f32" or null/"auto" (F16 where the device has shader-f16)
     */
    public static Engine load(String manifestUrl, String wanted, Progress.Listener listener) {
        return load(manifestUrl, wanted, java.util.Map.of(), listener);
    }

    /**
     * {@link #load(String, String, Progress.Listener)} with some kernels' WGSL replaced by {@code kernels} (role →
     * kernel file text, preludes kept): a developer's way to run a changed kernel without rebuilding.
     */
    public static Engine load(String manifestUrl, String wanted, java.util.Map<dev.kiln.shaders.Kernel, String> kernels,
                              Progress.Listener listener) {
        return load(manifestUrl, wanted, kernels, -1, listener);
    }

    /**
     * {@link #load(String, String, java.util.Map, Progress.Listener)}; {@code storageQuotaForTests} ≥ 0 makes the
     * store's preflight assume this quota (browsers give tests no way to lower what {@code estimate()} reports).
     */
    public static Engine load(String manifestUrl, String wanted, java.util.Map<dev.kiln.shaders.Kernel, String> kernels,
                              double storageQuotaForTests, Progress.Listener listener) {
        double t0 = now();
        Gpu gpu = Gpu.request();
        try {
            Precision precision = choosePrecision(gpu, wanted);
            gpu.pushScopes(); // an out-of-memory while the weights and buffers are created is named below
            Loader.Loaded model = Loader.load(gpu, manifestUrl, precision, storageQuotaForTests, listener);
            int shards = model.shards().length;
            double bytes = model.manifest().weightBytes();
            listener.progress(new Progress(Progress.Phase.COMPILE, bytes, bytes, shards, shards));
            // every pipeline is created (compiled) here, before any timed work
            double tCompile = now();
            StringBuilder noSubgroups = new StringBuilder();
            boolean subgroups = SubgroupCheck.passes(gpu, precision, noSubgroups);
            Plan plan = new Plan(gpu, new PipelineCache(gpu, precision, kernels, subgroups), model, Params.TopK.MAX_K);
            double compileMs = now() - tCompile;
            gpu.checkLoadScopes("loading " + model.manifest().name() + " needs about "
                    + Admission.mib(Admission.estimate(model.manifest(), model.manifest().config().context(), precision))
                    + " of GPU memory (" + Admission.mib(bytes) + " of weights)");
            listener.progress(new Progress(Progress.Phase.READY, bytes, bytes, shards, shards));
            Engine engine = new Engine(gpu, model, precision, plan, now() - t0, compileMs, kernels);
            engine.noSubgroups = noSubgroups.toString();
            return engine;
        } catch (RuntimeException e) {
            gpu.destroy();
            throw e;
        }
    }

    static Precision choosePrecision(Gpu gpu, String wanted) {
        if (wanted == null || wanted.isEmpty() || wanted.equals("auto")) return gpu.hasShaderF16() ? Precision.F16 : Precision.F32;
        if (wanted.equals("f32")) return Precision.F32;
        if (wanted.equals("f16")) {
            if (!gpu.hasShaderF16()) {
                throw new IllegalArgumentException("precision f16 was asked for but this adapter lacks shader-f16: use auto or f32");
            }
            return Precision.F16;
        }
        throw new IllegalArgumentException("unknown precision '" + wanted + "', expected auto, f16 or f32");
    }

    public Precision precision() { return precision; }

    public String adapter() { return gpu.adapterDescription(); }

    public ModelConfig config() { return model.manifest().config(); }

    public String name() { return model.manifest().name(); }

    public Tokenizer tokenizer() { return model.tokenizer(); }

    public dev.kiln.tokenizer.Vocabulary vocabulary() { return model.vocabulary(); }

    public double loadMs() { return loadMs; }

    /** The part of {@link #loadMs} spent building the plan: creating (compiling) every pipeline and bind group. */
    public double compileMs() { return compileMs; }

    public int dispatchesPerToken() { return plan.dispatchesPerToken(); }

    /** Whether the reducing kernels use subgroup operations (the device has them and {@link SubgroupCheck} passed). */
    public boolean subgroups() { return plan.subgroups(); }

    /** Why the kernels reduce through workgroup memory instead of subgroups ("" when they use subgroups). */
    public String noSubgroups() { return noSubgroups; }

    private String noSubgroups = "";

    /** Asks a running {@link #generate} to stop after the current token. */
    public void stop() { stopRequested = true; }

    public void close() {
        if (!closed) gpu.destroy();
        closed = true;
    }

    /** A test hook: destroys the device as a driver reset would lose it; the next generate recovers. */
    public void loseDevice() { gpu.destroy(); }

    /** How many times a lost device was recovered. */
    public int recoveries() { return recoveries; }

    /** After a lost device: {@link Recovery} rebuilds on a new device; the KV cache starts empty. */
    private void recover() {
        Recovery.Rebuilt r = Recovery.rebuild(gpu, model, precision, kernels, plan.subgroups());
        gpu = r.gpu();
        model = r.model();
        plan = r.plan();
        cachedLength = 0;
        recoveries++;
        recovered = r.message();
    }

    /** Encodes the prompt, prefills it and decodes until EOS, max_tokens, the end of the context or {@link #stop}. */
    public GenerateResult generate(GenerationRequest o, TokenListener listener) {
        return generate(o.prompt() != null ? model.tokenizer().encode(o.prompt()) : o.promptIds(), o,
                stopConditions(o, List.of()), listener);
    }

    /**
     * What ends a generation of this model: its end-of-generation ids (every EOS it lists and the end-of-turn token its
     * chat template writes; none with ignore_eos) and {@code stopStrings}.
     */
    public StopConditions stopConditions(GenerationRequest o, List<String> stopStrings) {
        return o.ignoreEos() ? new StopConditions(new int[0], stopStrings) : StopConditions.forModel(model.vocabulary(), stopStrings);
    }

    /**
     * Prefills {@code promptIds} and decodes until EOS, max_tokens, the end of the context or {@link #stop}
     * ({@code o}'s own prompt is not read). The KV cache keeps what earlier calls computed: only the positions after
     * the longest common prefix of {@code promptIds} and the ids already in the cache are prefilled (a chat's next
     * turn, a regenerate, an edit), so a conversation never re-reads its history. {@link GenerateResult#prefilled}
     * says how many prompt positions ran. {@code stops} decides where the reply ends and what text the listener sees
     * (never a stop string); the id -1 with text flushes what was held back.
     */
    public GenerateResult generate(int[] promptIds, GenerationRequest o, StopConditions stops, TokenListener listener) {
        if (closed) throw new IllegalStateException("this engine was closed: load the model again");
        int before = recoveries;
        GenerateResult r = generateRecovering(promptIds, o, stops, listener);
        return recoveries > before ? r.withRecovered(recovered) : r;
    }

    /** generateOnce, on a new device if the old one was lost before or during the reply. */
    private GenerateResult generateRecovering(int[] promptIds, GenerationRequest o, StopConditions stops, TokenListener listener) {
        if (gpu.isLost()) recover();
        int[] delivered = {0};
        try {
            return generateOnce(promptIds, o, stops, (id, text) -> {
                delivered[0]++;
                listener.token(id, text);
            });
        } catch (RuntimeException e) {
            // a map or submit that failed because the device went away (seen before or after device.lost settles);
            // anything else (a bad prompt, a validation error on a live device) is the caller's to see
            boolean gpuFailure = e instanceof dev.kiln.gpu.GpuException || e instanceof dev.kiln.gpu.Await.PromiseRejected;
            if (!gpuFailure || !gpu.lostWithin(500)) throw e;
            // lost mid-reply: recover and run the reply again from its start; the tokens already shown are not
            // repeated (greedy and seeded sampling give them again, in the same order)
            recover();
            int[] seen = {0};
            return generateOnce(promptIds, o, stops.fresh(), (id, text) -> {
                if (seen[0]++ >= delivered[0]) listener.token(id, text);
            });
        }
    }

    private GenerateResult generateOnce(int[] promptIds, GenerationRequest o, StopConditions stops, TokenListener listener) {
        stopRequested = false;
        Tokenizer tok = model.tokenizer();
        int context = config().context();
        for (int id : promptIds) {
            if (id < 0 || id >= config().vocab()) throw new IllegalArgumentException("prompt_ids holds " + id + ", not a token id of this model (vocab " + config().vocab() + ")");
        }
        if (promptIds.length == 0) throw new IllegalArgumentException("the prompt encodes to no tokens");
        if (promptIds.length >= context) {
            throw new IllegalArgumentException("the prompt is " + promptIds.length + " tokens but the context holds " + context);
        }
        // greedy reads back one id; sampling (and any penalty) reads back the top-K candidates
        Sampler sampler = o.greedy() && !o.hasPenalties() ? null : new Sampler(o.sampler());
        penalties = null;
        if (o.hasPenalties()) {
            penalties = new Penalties(config().vocab(), o.repetitionPenalty(), o.frequencyPenalty(), o.presencePenalty());
            penalties.prompt(promptIds);
        }
        Utf8Stream utf8 = new Utf8Stream();
        StringBuilder text = new StringBuilder();
        int[] ids = new int[Math.min(o.maxTokens(), context - promptIds.length)];
        int n = 0;

        double t0 = now();
        int d0 = gpu.dispatches(), s0 = gpu.submits();
        double r0 = gpu.readBytes();
        // the last prompt position always runs: its logits give the first token
        int reuse = Math.min(commonPrefix(promptIds), promptIds.length - 1);
        cachedLength = reuse;
        gpu.write(plan.tokens, 4L * reuse, Bytes.of(java.util.Arrays.copyOfRange(promptIds, reuse, promptIds.length)));
        System.arraycopy(promptIds, reuse, cached, reuse, promptIds.length - reuse);
        prefill(reuse, promptIds.length - 1);
        int pos = promptIds.length - 1;
        int next = step(pos, sampler);
        cachedLength = pos + 1;
        double tFirst = now();
        int d1 = gpu.dispatches(), s1 = gpu.submits();
        double r1 = gpu.readBytes();
        GenerateResult.Finish finish = GenerateResult.Finish.LENGTH;
        while (true) {
            String piece = utf8.feed(tok.tokenBytes(next));
            StopConditions.Step shown = stops.next(next, piece);
            text.append(shown.text());
            if (shown.stop() == StopConditions.Reason.END_OF_GENERATION_TOKEN) {
                if (!shown.text().isEmpty()) listener.token(-1, shown.text()); // text held back for a stop string
                finish = GenerateResult.Finish.STOP;
                break;
            }
            listener.token(next, shown.text());
            ids[n++] = next;
            if (penalties != null) penalties.generated(next);
            pos++;
            if (shown.stopped()) {
                finish = GenerateResult.Finish.STOP;
                break;
            }
            if (stopRequested) {
                finish = GenerateResult.Finish.ABORT;
                break;
            }
            if (n >= ids.length || pos + 1 >= context) break;
            cached[pos] = next;
            next = step(pos, sampler);
            cachedLength = pos + 1;
        }
        double tEnd = now();
        if (finish != GenerateResult.Finish.STOP) {
            String rest = stops.finish() + utf8.flush();
            text.append(rest);
            if (!rest.isEmpty()) listener.token(-1, rest);
        }
        int[] generated = new int[n];
        System.arraycopy(ids, 0, generated, 0, n);
        int prefilled = promptIds.length - reuse;
        double prefillTps = prefilled / Math.max(1e-9, (tFirst - t0) / 1000);
        double decodeTps = n > 1 ? (n - 1) / Math.max(1e-9, (tEnd - tFirst) / 1000) : 0;
        return new GenerateResult(promptIds, generated, text.toString(), precision, adapter(), loadMs,
                prefillTps, decodeTps, prefilled, tFirst - t0, finish, compileMs,
                new GenerateResult.Work(d1 - d0, s1 - s0, r1 - r0),
                new GenerateResult.Work(gpu.dispatches() - d1, gpu.submits() - s1, gpu.readBytes() - r1), "");
    }

    /** Positions of {@code ids} whose K/V the cache already holds (the longest common prefix with {@link #cached}). */
    private int commonPrefix(int[] ids) {
        int n = Math.min(cachedLength, ids.length), i = 0;
        while (i < n && cached[i] == ids[i]) i++;
        return i;
    }

    /**
     * Teacher forcing: feeds {@code ids} and returns the logits after each position but the last,
     * {@code (ids.length - 1, vocab)}: row p predicts ids[p + 1]. Forgets the cached conversation.
     */
    public float[][] score(int[] ids) {
        if (gpu.isLost()) recover();
        cachedLength = 0;
        return TeacherForcing.score(gpu, plan, ids);
    }

    /**
     * Step by step, teacher-forced ({@link TeacherForcing#trace}): every launch's result, for {@code kiln verify
     * --steps}. Forgets the cached conversation.
     */
    public void trace(int[] ids, TeacherForcing.TraceListener listener) {
        if (gpu.isLost()) recover();
        cachedLength = 0;
        TeacherForcing.trace(gpu, plan, ids, listener);
    }

    /**
     * GPU time of one greedy decode token by kernel role ({@link Profile}: wall clock, each role's dispatches
     * {@code repeats} times in one submit, an empty submit's time subtracted). It times the position after the cached
     * ones, so run a generate first for attention over a real context; the cached conversation is kept.
     */
    public Profile profile(int repeats) {
        if (closed) throw new IllegalStateException("this engine was closed: load the model again");
        if (gpu.isLost()) recover();
        int pos = Math.min(cachedLength, config().context() - 1);
        cachedLength = pos; // at a full context the last cached row is overwritten: forget it
        return Profile.measure(gpu, plan, pos, repeats);
    }

    /**
     * Runs the body (embed + layers) for prompt positions first .. last-1 in blocks of up to {@code plan.block}
     * positions, one submit each: the Step uniform says where the block starts and how many rows it holds (a queue
     * write, ordered before the block's submit), and every layer runs once per block. The blocks are submitted back to
     * back and their error scopes closed after the last (innermost first), so the CPU never waits for the GPU between
     * blocks; an error still names its block.
     */
    private void prefill(int first, int last) {
        List<Encoder> submitted = new ArrayList<>();
        RuntimeException failure = null;
        try {
            for (int start = first; start < last; start += plan.block) {
                int rows = Math.min(plan.block, last - start);
                gpu.write(plan.step, 0, Bytes.of(StepUniform.block(start, rows)));
                Encoder e = new Encoder(gpu, "prefill-from", start);
                submitted.add(e);
                e.pass(plan.prefill).submitUnchecked();
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        for (int i = submitted.size() - 1; i >= 0; i--) { // every scope is closed, whatever failed
            try {
                submitted.get(i).check();
            } catch (RuntimeException e) {
                if (failure == null) failure = e;
            }
        }
        if (failure != null) throw failure;
    }

    /** One full position: body, head and the tail; returns the token that goes to tokens[pos + 1]. */
    private int step(int pos, Sampler sampler) {
        Encoder e = new Encoder(gpu, "token", pos);
        position(e, pos).pass(plan.body).pass(plan.head);
        if (sampler == null) {
            e.pass(plan.argmaxPass).copy(plan.tokens, 4.0 * (pos + 1), plan.readback, 0, 4);
            e.submitUnchecked();
            gpu.readWords(plan.readback, words, 1);
            e.check();
            return words[0];
        }
        int wordsNeeded = 2 + 2 * plan.k;
        e.pass(plan.topKPass).copy(plan.topKOut, 0, plan.readback, 0, 4.0 * wordsNeeded);
        e.submitUnchecked();
        gpu.readWords(plan.readback, words, wordsNeeded);
        e.check();
        int k = words[1];
        for (int i = 0; i < k; i++) {
            candidateIds[i] = words[2 + 2 * i];
            candidateLogits[i] = Float.intBitsToFloat(words[3 + 2 * i]);
        }
        if (penalties != null) penalties.apply(candidateIds, candidateLogits, k);
        int chosen = sampler.sample(candidateIds, candidateLogits, k);
        oneWord.putInt(0, chosen);
        gpu.write(plan.tokens, 4L * (pos + 1), oneWord);
        return chosen;
    }

    /** Puts Step{pos} into the step uniform: a 16-byte copy from the precomputed table. */
    private Encoder position(Encoder e, int pos) {
        return e.copy(plan.stepTable, (double) StepUniform.BYTES * pos, plan.step, 0, StepUniform.BYTES);
    }

    @JSBody(script = "return performance.now();")
    static native double now();

}
