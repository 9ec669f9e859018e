package dev.kiln.shaders;

import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import dev.kiln.model.DType;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real WebGPU device for JVM tests: starts {@code node/kernel-runner.mjs} (Dawn for Node) once, on Mesa lavapipe
 * unless {@code VK_ICD_FILENAMES} is already set, and talks to it in JSON lines. Open one per test class
 * ({@code @BeforeAll}) and close it after. Reusable from other modules through the shaders test-jar.
 *
 * <pre>
 *   Run r = gpu.request();
 *   r.floats("x", x).zeros("y", 4 * rows);
 *   r.kernel(Kernel.MAT_VEC, Precision.F32, DType.Q4, Params.MatVec.of(DType.Q4, rows, cols, false), "w", "x", "y");
 *   float[] y = gpu.run(r.read("y")).floats("y");
 * </pre>
 */
public final class NodeGpu implements AutoCloseable {
    /** Lavapipe's ICD: the deterministic software Vulkan driver the tests run on. */
    public static final String LAVAPIPE_ICD = "/usr/share/vulkan/icd.d/lvp_icd.json";
    private static final long TIMEOUT_SECONDS = 180;

    private final Process process;
    private final Writer in;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final ArrayDeque<String> stderrTail = new ArrayDeque<>();
    private final JsonObject info;
    private int nextId = 1;

    private NodeGpu(Process process) {
        this.process = process;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        pump(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), true);
        pump(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), false);
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("op", "info");
        this.info = call(req);
    }

    /** Starts the runner; fails with what to do when Node or the Dawn package is missing. */
    public static NodeGpu start() {
        File node = new File(repositoryRoot(), "node");
        if (!new File(node, "node_modules/webgpu/package.json").isFile()) {
            throw new IllegalStateException("Dawn for Node is not installed (" + node + "/node_modules/webgpu is missing): "
                    + "run './kiln setup' in the repository root");
        }
        ProcessBuilder pb = new ProcessBuilder("node", "kernel-runner.mjs").directory(node);
        if (System.getenv("VK_ICD_FILENAMES") == null) pb.environment().put("VK_ICD_FILENAMES", LAVAPIPE_ICD);
        try {
            return new NodeGpu(pb.start());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start 'node' (is Node 20+ on the PATH? run './kiln setup'): " + e.getMessage(), e);
        }
    }

    /** The repository root: system property {@code kiln.root} (set by the parent pom), else the nearest folder up with node/. */
    public static File repositoryRoot() {
        String prop = System.getProperty("kiln.root");
        if (prop != null && new File(prop, "node").isDirectory()) return new File(prop);
        for (File d = new File("").getAbsoluteFile(); d != null; d = d.getParentFile()) {
            if (new File(d, "node/package.json").isFile()) return d;
        }
        throw new IllegalStateException("cannot find the repository root (a folder with node/package.json) above "
                + new File("").getAbsolutePath() + "; set -Dkiln.root");
    }

    /** The adapter's description, e.g. "llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)". */
    public String adapter() {
        JsonObject a = info.object("adapter");
        return a.string("description", a.string("device", "?")) + " (" + a.string("vendor", "?") + ")";
    }

    /**
     * Whether kernels take the subgroup variant of the reduction prelude: system property {@code kiln.subgroups} (the
     * shaders module's second test execution sets it); the device must then have the {@code subgroups} feature.
     */
    public boolean subgroups() {
        if (!Boolean.getBoolean("kiln.subgroups")) return false;
        if (!features().contains(Wgsl.SUBGROUPS)) {
            throw new IllegalStateException("kiln.subgroups is set but " + adapter() + " lacks the subgroups feature");
        }
        return true;
    }

    /** The device's features. */
    public List<Object> features() { return info.array("features"); }

    public boolean hasShaderF16() { return features().contains("shader-f16"); }

    /** Whether the kernels of {@code p} can run here. */
    public boolean supports(Precision p) { return p.requiredFeature() == null || features().contains(p.requiredFeature()); }

    /** One device limit, e.g. "maxStorageBufferBindingSize". */
    public long limit(String name) { return info.object("limits").longInteger(name); }

    /** The adapter's largest subgroup size (0 when it does not say). */
    public int subgroupMaxSize() { return (int) info.object("adapter").longInteger("subgroupMaxSize"); }

    /**
     * A submit to fill. Its mat-vecs run with the engine's teams of rows per workgroup ({@link Params#rowTeams}: more
     * than one only with subgroups) unless their Params already ask for more than one.
     */
    public Run request() {
        boolean sg = subgroups();
        return new Run(sg, Params.rowTeams(sg, sg ? subgroupMaxSize() : 0));
    }

    /** Runs all dispatches of {@code run} in one submit and reads back its read buffers. */
    public Result run(Run run) {
        JsonObject answer = call(run.toJson());
        Map<String, byte[]> outputs = new LinkedHashMap<>();
        JsonObject out = answer.object("outputs");
        for (String name : out.map().keySet()) outputs.put(name, Base64.getDecoder().decode(out.string(name)));
        return new Result(outputs, answer.number("ms"), answer.array("compilation"));
    }

    private synchronized JsonObject call(Map<String, Object> request) {
        int id = nextId++;
        request.put("id", id);
        try {
            in.write(Json.write(request));
            in.write('\n');
            in.flush();
            String line = lines.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (line == null) throw new GpuException("no answer from kernel-runner within " + TIMEOUT_SECONDS + " s" + stderr());
            if (line.isEmpty()) throw new GpuException("kernel-runner exited (code " + exitCode() + ")" + stderr());
            JsonObject answer = JsonObject.of(Json.parse(line), "kernel-runner answer");
            if (!answer.bool("ok", false)) {
                throw new GpuException(answer.string("error", "failed") + "; errors: " + answer.map().get("errors")
                        + "; compilation: " + answer.map().get("compilation"));
            }
            return answer;
        } catch (IOException e) {
            throw new GpuException("kernel-runner pipe broke: " + e.getMessage() + stderr());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GpuException("interrupted");
        }
    }

    private String exitCode() {
        try {
            return process.waitFor(5, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "still running";
        } catch (InterruptedException e) {
            return "?";
        }
    }

    private String stderr() {
        synchronized (stderrTail) { return stderrTail.isEmpty() ? "" : "; stderr: " + String.join("\n", stderrTail); }
    }

    private void pump(BufferedReader r, boolean answers) {
        Thread t = new Thread(() -> {
            try {
                for (String l; (l = r.readLine()) != null; ) {
                    if (answers) lines.add(l);
                    else synchronized (stderrTail) {
                        stderrTail.add(l);
                        if (stderrTail.size() > 20) stderrTail.removeFirst();
                    }
                }
            } catch (IOException ignored) {
                // the process went away; the empty line below wakes the caller
            }
            if (answers) lines.add("");
        }, answers ? "kernel-runner-out" : "kernel-runner-err");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        try {
            in.close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroy();
        } catch (IOException | InterruptedException e) {
            process.destroy();
        }
    }

    /**
     * Word i of a {@code fill} buffer: lowbias32(i + seed·0x9e3779b9), masked — kernel-runner.mjs makes the same
     * words, so large inputs never cross the pipe.
     */
    public static int fillWord(int i, int seed, int and, int or) {
        int x = i + seed * 0x9e3779b9;
        x ^= x >>> 16; x *= 0x7feb352d;
        x ^= x >>> 15; x *= 0x846ca68b;
        x ^= x >>> 16;
        return (x & and) | or;
    }

    /** A kernel-runner failure: compilation, validation or a dead process. */
    public static final class GpuException extends RuntimeException {
        GpuException(String message) { super(message); }
    }

    /** The buffers, shaders and dispatches of one submit. */
    public static final class Run {
        private final List<Object> shaders = new ArrayList<>();
        private final Map<String, Object> buffers = new LinkedHashMap<>();
        private final List<Object> dispatches = new ArrayList<>();
        private final List<Object> reads = new ArrayList<>();
        private final boolean subgroups;
        private final int teams;
        private int uniforms;

        Run(boolean subgroups, int teams) {
            this.subgroups = subgroups;
            this.teams = teams;
        }

        public Run bytes(String name, byte[] data) {
            buffers.put(name, Map.of("data", Base64.getEncoder().encodeToString(data)));
            return this;
        }

        public Run floats(String name, float[] data) {
            ByteBuffer b = le(data.length * 4);
            b.asFloatBuffer().put(data);
            return bytes(name, b.array());
        }

        public Run ints(String name, int[] data) {
            ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int v : data) b.putInt(v);
            return bytes(name, b.array());
        }

        public Run zeros(String name, long size) {
            buffers.put(name, Map.of("size", size));
            return this;
        }

        /** A buffer of {@code size} bytes whose word i is {@link #fillWord}(i, seed, and, or), made on the Node side. */
        public Run fill(String name, long size, int seed, int and, int or) {
            buffers.put(name, Map.of("size", size, "fill",
                    Map.of("seed", seed, "and", and & 0xffffffffL, "or", or & 0xffffffffL)));
            return this;
        }

        /** Adds WGSL text; returns its index for {@link #dispatch}. */
        public int shader(String code) {
            int i = shaders.indexOf(code);
            if (i >= 0) return i;
            shaders.add(code);
            return shaders.size() - 1;
        }

        /** A raw dispatch: buffer names and binding types in slot order. */
        public Run dispatch(int shader, String label, int[] workgroups, List<String> buffers, List<Binding.Access> types) {
            List<Object> bindings = new ArrayList<>();
            for (int i = 0; i < buffers.size(); i++) {
                bindings.add(Map.of("buffer", buffers.get(i), "type", types.get(i).webGpuType()));
            }
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("shader", shader);
            d.put("label", label);
            d.put("workgroups", List.of(workgroups[0], workgroups[1], workgroups[2]));
            d.put("bindings", bindings);
            dispatches.add(d);
            return this;
        }

        /**
         * Dispatches {@code kernel} the way an engine would: WGSL from {@link Wgsl#source}, bind group layout from
         * {@link Kernel#bindings()}, a fresh Params uniform from {@code params.bytes()}, workgroups from
         * {@code params.workgroups()}. {@code buffers} names every binding except Params, in slot order.
         */
        public Run kernel(Kernel kernel, Precision precision, DType weights, Params params, String... buffers) {
            if (params.kernel() != kernel) throw new IllegalArgumentException(params + " is not for " + kernel);
            boolean oneTeam = params instanceof Params.MatVec m ? m.teams() == 1
                    : params instanceof Params.MatVecQkv q && q.teams() == 1;
            if (oneTeam) params = Params.withRowTeams(params, teams);
            List<Binding> bs = kernel.bindings();
            if (buffers.length != bs.size() - 1) {
                throw new IllegalArgumentException(kernel + " binds " + (bs.size() - 1) + " buffers before Params, got " + buffers.length);
            }
            String p = "params#" + uniforms++;
            bytes(p, params.bytes());
            List<String> names = new ArrayList<>(List.of(buffers));
            names.add(p);
            List<Binding.Access> types = new ArrayList<>();
            for (Binding b : bs) types.add(b.access());
            return dispatch(shader(Wgsl.source(kernel, precision, weights, subgroups, null)), kernel.name().toLowerCase(),
                    params.workgroups(), names, types);
        }

        public Run read(String... names) {
            reads.addAll(List.of(names));
            return this;
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("op", "run");
            m.put("shaders", shaders);
            m.put("buffers", buffers);
            m.put("dispatches", dispatches);
            m.put("read", reads);
            return m;
        }
    }

    /** The read-back buffers of one run, the wall time from submit to readback, and the compilation messages. */
    public record Result(Map<String, byte[]> outputs, double ms, List<Object> compilation) {
        public byte[] bytes(String name) {
            byte[] b = outputs.get(name);
            if (b == null) throw new IllegalArgumentException("buffer '" + name + "' was not read back; read: " + outputs.keySet());
            return b;
        }

        public float[] floats(String name) {
            byte[] b = bytes(name);
            float[] f = new float[b.length / 4];
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
            return f;
        }

        public int[] ints(String name) {
            byte[] b = bytes(name);
            int[] v = new int[b.length / 4];
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(v);
            return v;
        }
    }

    private static ByteBuffer le(int size) { return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN); }
}
