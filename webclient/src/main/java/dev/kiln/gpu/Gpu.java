package dev.kiln.gpu;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.teavm.jso.JSBody;
import org.teavm.jso.JSBuffer;
import org.teavm.jso.JSBufferType;
import org.teavm.jso.JSObject;
import org.teavm.jso.JSProperty;
import org.teavm.jso.core.JSPromise;
import org.teavm.jso.typedarrays.ArrayBuffer;
import org.teavm.jso.typedarrays.Int32Array;
import org.teavm.jso.typedarrays.Uint8Array;
import org.teavm.jso.webgpu.GPU;
import org.teavm.jso.webgpu.GPUAdapter;
import org.teavm.jso.webgpu.GPUBuffer;
import org.teavm.jso.webgpu.GPUDevice;
import org.teavm.jso.webgpu.GPUQueue;

/**
 * One WebGPU device, requested with what the engine needs: {@code shader-f16} when the adapter has it and the
 * adapter's own maximum limits for storage bindings, buffers and workgroups (the defaults, 128 MiB and 256, are far
 * below what real adapters offer). Buffers, readback and error scopes live here; pipelines in {@link Pipelines},
 * encoding in {@link Dispatch}.
 *
 * <p>Errors: no {@code navigator.gpu} or no adapter → {@link GpuException.Unavailable}; a lost device →
 * {@link GpuException.DeviceLost} at the next check; errors in an error scope → {@link GpuException.Validation}
 * naming the label of the work.
 */
public final class Gpu {
    /** The feature that lets WGSL use {@code f16} arithmetic (and the engine its F16 precision). */
    public static final String SHADER_F16 = "shader-f16";
    public static final String SUBGROUPS = "subgroups";

    private final GPUAdapter adapter;
    private final GPUDevice device;
    private final GPUQueue queue;
    private final LostBox lost; // written by device.lost's then()
    private final String description;
    private final int subgroupMaxSize;

    private Gpu(GPUAdapter adapter, GPUDevice device) {
        this.adapter = adapter;
        this.device = device;
        this.queue = device.getQueue();
        this.lost = watchLost(device);
        this.description = describe(adapter);
        this.subgroupMaxSize = subgroupMaxSize(adapter);
    }

    /** Requests an adapter and a device; suspends (call on a TeaVM thread). */
    public static Gpu request() {
        GPU gpu = navigatorGpu();
        if (gpu == null) {
            throw new GpuException.Unavailable("WebGPU is not available here (no navigator.gpu): use Chrome or Edge 113+,"
                    + " Firefox 141+ or Safari 26+ over HTTPS or localhost, or Node with the 'webgpu' package");
        }
        GPUAdapter adapter;
        try {
            adapter = Await.await(gpu.requestAdapter(adapterOptions()), "requestAdapter");
        } catch (Await.PromiseRejected e) {
            throw new GpuException.Unavailable(e.getMessage());
        }
        if (adapter == null) {
            throw new GpuException.Unavailable("navigator.gpu.requestAdapter() returned no adapter: WebGPU is disabled"
                    + " or this GPU is blocklisted (try chrome://gpu, or enable chrome://flags/#enable-unsafe-webgpu)");
        }
        boolean f16 = adapter.getFeatures().has(SHADER_F16);
        boolean subgroups = adapter.getFeatures().has(SUBGROUPS);
        GPUDevice device;
        try {
            device = Await.await(adapter.requestDevice(deviceDescriptor(adapter, f16, subgroups)), "requestDevice");
        } catch (Await.PromiseRejected e) {
            throw new GpuException.Unavailable(e.getMessage());
        }
        if (device == null) throw new GpuException.Unavailable("requestDevice() returned no device");
        return new Gpu(adapter, device);
    }

    public GPUDevice device() { return device; }

    public GPUQueue queue() { return queue; }

    /** Vendor, architecture, device and description as far as the browser tells them. */
    public String adapterDescription() { return description; }

    /** The device's features, sorted. */
    public List<String> features() {
        List<String> out = new ArrayList<>();
        String joined = featureList(device);
        if (!joined.isEmpty()) for (String f : joined.split(",")) out.add(f);
        return out;
    }

    public boolean hasShaderF16() { return device.getFeatures().has(SHADER_F16); }

    /** The adapter's largest subgroup size ({@code GPUAdapterInfo.subgroupMaxSize}), 0 when the browser does not say. */
    public int subgroupMaxSize() { return subgroupMaxSize; }

    /** Whether the device has the {@code subgroups} feature (subgroup operations in WGSL). */
    public boolean hasSubgroups() { return device.getFeatures().has(SUBGROUPS); }

    public double maxStorageBufferBindingSize() { return device.getLimits().getMaxStorageBufferBindingSize(); }

    public double maxBufferSize() { return device.getLimits().getMaxBufferSize(); }

    public int maxComputeInvocationsPerWorkgroup() { return device.getLimits().getMaxComputeInvocationsPerWorkgroup(); }

    public int maxComputeWorkgroupsPerDimension() { return device.getLimits().getMaxComputeWorkgroupsPerDimension(); }

    // ---- work counters (what `kiln bench` reports per token) ----

    private int submits, dispatches;
    private double readBytes;

    /** Submits so far on this device. */
    public int submits() { return submits; }

    /** Dispatches encoded so far. */
    public int dispatches() { return dispatches; }

    /** Bytes mapped and read back to the CPU so far. */
    public double readBytes() { return readBytes; }

    void counted(int submitted, int dispatched) {
        submits += submitted;
        dispatches += dispatched;
    }

    // ---- buffers ----

    /** A storage buffer the kernels read and write, which can also be copied from and written by the queue. */
    public GPUBuffer storage(String label, long bytes) {
        return buffer(label, bytes, GPUBuffer.Usage.STORAGE | GPUBuffer.Usage.COPY_DST | GPUBuffer.Usage.COPY_SRC);
    }

    /** A uniform buffer (kernel {@code Params}, the per-token step), written by the queue or by copies. */
    public GPUBuffer uniform(String label, long bytes) {
        return buffer(label, bytes, GPUBuffer.Usage.UNIFORM | GPUBuffer.Usage.COPY_DST);
    }

    /** A buffer to copy results into and map for reading on the CPU. */
    public GPUBuffer readback(String label, long bytes) {
        return buffer(label, bytes, GPUBuffer.Usage.MAP_READ | GPUBuffer.Usage.COPY_DST);
    }

    public GPUBuffer buffer(String label, long bytes, int usage) {
        if (bytes <= 0 || bytes % 4 != 0) {
            throw new IllegalArgumentException("buffer '" + label + "' of " + bytes + " bytes: sizes must be positive multiples of 4");
        }
        if (bytes > maxBufferSize()) {
            throw new IllegalArgumentException("buffer '" + label + "' needs " + bytes + " bytes but this device allows "
                    + (long) maxBufferSize() + ": use a smaller shard size when packaging the model");
        }
        return createBuffer(device, label, bytes, usage);
    }

    /** Writes {@code data[0 .. limit)} (a direct little-endian buffer at position 0) to {@code buffer} at {@code offset}. */
    public void write(GPUBuffer buffer, long offset, ByteBuffer data) {
        if (data.position() != 0) throw new IllegalArgumentException("write() takes buffers at position 0");
        if (data.limit() % 4 != 0) throw new IllegalArgumentException("GPU writes are whole words: " + data.limit() + " bytes");
        if (data.limit() == 0) return;
        writeDirect(queue, buffer, offset, data, data.limit());
    }

    /** Writes bytes that live on the JavaScript side (a fetched shard) without passing through Java memory. */
    public void write(GPUBuffer buffer, long offset, Uint8Array data) {
        writeView(queue, buffer, offset, data);
    }

    /** Maps {@code buffer} (a {@link #readback}), copies its first {@code words} u32 words out and unmaps. */
    public int[] readWords(GPUBuffer buffer, int words) {
        int[] out = new int[words];
        readWords(buffer, out, words);
        return out;
    }

    /** Like {@link #readWords(GPUBuffer, int)} into a caller's array (no allocation per token). */
    public void readWords(GPUBuffer buffer, int[] out, int words) {
        Await.done(mapRead(buffer), "mapAsync of " + buffer.getLabel());
        checkLost();
        ArrayBuffer range = buffer.getMappedRange(0, 4.0 * words);
        Int32Array view = new Int32Array(range);
        for (int i = 0; i < words; i++) out[i] = view.get(i);
        buffer.unmap();
        readBytes += 4.0 * words;
    }

    /** Waits until the GPU has finished every submit so far ({@code queue.onSubmittedWorkDone()}). */
    public void waitForSubmittedWork() {
        Await.done(submittedWorkDone(queue), "onSubmittedWorkDone");
        checkLost();
    }

    // ---- errors ----

    /** Opens the error scopes that {@link #checkScopes} closes: validation and out-of-memory. */
    public void pushScopes() {
        device.pushErrorScope("validation");
        device.pushErrorScope("out-of-memory");
    }

    /** Closes the scopes of {@link #pushScopes}; an error in either becomes a {@link GpuException.Validation} naming {@code label} (its toString, built only then). */
    public void checkScopes(Object label) {
        JSPromise<GPUDevice.Error> oom = device.popErrorScope();
        JSPromise<GPUDevice.Error> validation = device.popErrorScope();
        GPUDevice.Error e1, e2;
        try {
            e1 = Await.await(oom, "popErrorScope");
            e2 = Await.await(validation, "popErrorScope");
        } catch (Await.PromiseRejected e) {
            checkLost();
            throw e;
        }
        checkLost();
        if (e2 != null) throw new GpuException.Validation(String.valueOf(label), "validation", e2.getMessage());
        if (e1 != null) throw new GpuException.Validation(String.valueOf(label), "out-of-memory", e1.getMessage());
    }

    /** Closes the scopes of {@link #pushScopes} while another error is already on its way out. */
    void checkScopesQuietly() {
        try {
            checkScopes("cleanup");
        } catch (RuntimeException ignored) {
            // the error being thrown by the caller says more
        }
    }

    /**
     * Closes the scopes of {@link #pushScopes} opened before a model's buffers were created: an out-of-memory error
     * (reported first: the validation errors after it are its consequences) becomes {@link GpuException.OutOfMemory}
     * with {@code need} and this adapter's limits.
     */
    public void checkLoadScopes(String need) {
        GPUDevice.Error oom = Await.await(device.popErrorScope(), "popErrorScope");
        GPUDevice.Error validation = Await.await(device.popErrorScope(), "popErrorScope");
        checkLost();
        if (oom != null) {
            throw new GpuException.OutOfMemory("The GPU ran out of memory: " + need + "; this adapter (" + description
                    + ") allows " + (long) maxBufferSize() / (1 << 20) + " MiB per buffer and "
                    + (long) maxStorageBufferBindingSize() / (1 << 20) + " MiB per binding. Close other GPU-heavy tabs,"
                    + " or pick a smaller model or quantization (" + oom.getMessage() + ")");
        }
        if (validation != null) throw new GpuException.Validation("load", "validation", validation.getMessage());
    }

    public boolean isLost() { return lost.isLost(); }

    /**
     * Whether the device is lost, waiting up to {@code ms} for {@code device.lost} to settle: a failed map or
     * submit can be seen before the lost promise resolves.
     */
    public boolean lostWithin(int ms) {
        if (lost.isLost()) return true;
        Await.await(lostOrTimeout(device, ms), "device.lost");
        return lost.isLost();
    }

    /** "reason: message" of a lost device. */
    public String lostDescription() { return lost.getReason() + ": " + lost.getMessage(); }

    /** Throws {@link GpuException.DeviceLost} once the device is gone. */
    public void checkLost() {
        if (lost.isLost()) throw new GpuException.DeviceLost(lost.getReason(), lost.getMessage());
    }

    public void destroy() { device.destroy(); }

    // ---- JavaScript glue ----

    interface LostBox extends JSObject {
        @JSProperty boolean isLost();
        @JSProperty String getReason();
        @JSProperty String getMessage();
    }

    @JSBody(params = { "d", "ms" }, script = "return Promise.race([d.lost.then(function() { return true; }),"
            + " new Promise(function(r) { setTimeout(function() { r(false); }, ms); })]);")
    private static native JSPromise<org.teavm.jso.core.JSBoolean> lostOrTimeout(GPUDevice d, int ms);

    @JSBody(script = "return (typeof navigator !== 'undefined' && navigator.gpu) ? navigator.gpu : null;")
    private static native GPU navigatorGpu();

    @JSBody(script = "return { powerPreference: 'high-performance' };")
    private static native org.teavm.jso.webgpu.GPUDescriptor.RequestAdapterOptions adapterOptions();

    /** shader-f16 and subgroups when present; the adapter's maxima for the limits a large model needs. */
    @JSBody(params = { "a", "f16", "subgroups" }, script = ""
            + "var want = {}, lim = a.limits;"
            + "['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeInvocationsPerWorkgroup',"
            + " 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY', 'maxComputeWorkgroupStorageSize',"
            + " 'maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupsPerDimension']"
            + ".forEach(function(k) { if (lim[k] !== undefined) want[k] = lim[k]; });"
            + "var features = [];"
            + "if (f16) features.push('shader-f16');"
            + "if (subgroups) features.push('subgroups');"
            + "return { label: 'kiln', requiredFeatures: features, requiredLimits: want };")
    private static native org.teavm.jso.webgpu.GPUDescriptor.Device deviceDescriptor(GPUAdapter a, boolean f16,
                                                                                    boolean subgroups);

    @JSBody(params = "d", script = ""
            + "var box = { lost: false, reason: '', message: '' };"
            + "d.lost.then(function(i) { box.lost = true; box.reason = String(i.reason); box.message = String(i.message); });"
            + "return box;")
    private static native LostBox watchLost(GPUDevice d);

    @JSBody(params = "a", script = ""
            + "var i = a.info || {};"
            + "var parts = [i.vendor, i.architecture, i.device, i.description].filter(function(s) { return !!s; });"
            + "var seen = {}; parts = parts.filter(function(s) { if (seen[s]) return false; seen[s] = true; return true; });"
            + "return parts.length ? parts.join(' ') : 'unknown adapter';")
    private static native String describe(GPUAdapter a);

    @JSBody(params = "a", script = "var i = a.info || {}; var n = Number(i.subgroupMaxSize); return n > 0 ? n | 0 : 0;")
    private static native int subgroupMaxSize(GPUAdapter a);

    @JSBody(params = "d", script = "var f = Array.from(d.features); f.sort(); return f.join(',');")
    private static native String featureList(GPUDevice d);

    @JSBody(params = { "d", "label", "size", "usage" }, script = "return d.createBuffer({ label: label, size: size, usage: usage });")
    private static native GPUBuffer createBuffer(GPUDevice d, String label, double size, int usage);

    @JSBody(params = { "q", "b", "offset", "data", "size" }, script = "q.writeBuffer(b, offset, data, 0, size);")
    private static native void writeDirect(GPUQueue q, GPUBuffer b, double offset,
                                           @JSBuffer(JSBufferType.UINT8) ByteBuffer data, int size);

    @JSBody(params = { "q", "b", "offset", "data" }, script = "q.writeBuffer(b, offset, data);")
    private static native void writeView(GPUQueue q, GPUBuffer b, double offset, Uint8Array data);

    @JSBody(params = "q", script = "return q.onSubmittedWorkDone();")
    private static native JSPromise<JSObject> submittedWorkDone(GPUQueue q);

    @JSBody(params = "b", script = "return b.mapAsync(1);")
    private static native JSPromise<JSObject> mapRead(GPUBuffer b);
}
