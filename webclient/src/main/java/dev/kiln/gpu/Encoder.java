package dev.kiln.gpu;

import java.util.List;

import org.teavm.jso.JSBody;
import org.teavm.jso.webgpu.GPUBuffer;
import org.teavm.jso.webgpu.GPUCommandEncoder;
import org.teavm.jso.webgpu.GPUComputePassEncoder;
import org.teavm.jso.webgpu.GPUDevice;
import org.teavm.jso.webgpu.GPUQueue;

/**
 * One command encoder → one submit. Compute passes hold runs of {@link Dispatch}es (WebGPU orders storage writes
 * between dispatches), copies go between passes. {@link #submit} wraps the submit in error scopes so a validation
 * error names the submit's label (and WebGPU's message names the dispatch's bind group).
 */
public final class Encoder {
    private final Gpu gpu;
    private final String label;
    private final int pos;
    private final GPUCommandEncoder encoder;
    private boolean scoped;

    public Encoder(Gpu gpu, String label) { this(gpu, label, -1); }

    /**
     * An encoder for the work of one position: the label stays a constant (no string is built per token) and the
     * position is added to it only in an error message.
     */
    public Encoder(Gpu gpu, String label, int pos) {
        this.gpu = gpu;
        this.label = label;
        this.pos = pos;
        gpu.checkLost();
        gpu.pushScopes();
        this.scoped = true;
        this.encoder = createEncoder(gpu.device(), label);
    }

    /** Encodes {@code dispatches} in order in one compute pass. */
    public Encoder pass(List<Dispatch> dispatches) {
        GPUComputePassEncoder pass = encoder.beginComputePass();
        for (int i = 0; i < dispatches.size(); i++) dispatches.get(i).encode(pass);
        pass.end();
        gpu.counted(0, dispatches.size());
        return this;
    }

    public Encoder copy(GPUBuffer from, double fromOffset, GPUBuffer to, double toOffset, double bytes) {
        encoder.copyBufferToBuffer(from, fromOffset, to, toOffset, bytes);
        return this;
    }

    /** Submits the commands; then waits for the error scopes (they resolve once the queue has seen the work). */
    public void submit() {
        submitOne(gpu.queue(), encoder);
        gpu.counted(1, 0);
        scoped = false;
        gpu.checkScopes(this);
    }

    /** Submits without waiting for the error scopes; call {@link #check()} later (e.g. after a readback). */
    public Encoder submitUnchecked() {
        submitOne(gpu.queue(), encoder);
        gpu.counted(1, 0);
        return this;
    }

    /** The error check of {@link #submitUnchecked}. */
    public void check() {
        if (!scoped) return;
        scoped = false;
        gpu.checkScopes(this);
    }

    /** The label errors name: the submit's label and, for per-position work, the position. */
    @Override
    public String toString() { return pos < 0 ? label : label + "/pos" + pos; }

    @JSBody(params = { "d", "label" }, script = "return d.createCommandEncoder({ label: label });")
    private static native GPUCommandEncoder createEncoder(GPUDevice d, String label);

    @JSBody(params = { "q", "e" }, script = "q.submit([e.finish()]);")
    private static native void submitOne(GPUQueue q, GPUCommandEncoder e);
}
