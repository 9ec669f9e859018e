package dev.kiln.gpu;

import org.teavm.jso.JSBody;
import org.teavm.jso.JSObject;
import org.teavm.jso.webgpu.GPUBindGroup;
import org.teavm.jso.webgpu.GPUBuffer;
import org.teavm.jso.webgpu.GPUDevice;
import org.teavm.jso.webgpu.GPUPipeline;

/** JavaScript glue for {@link Dispatch#of}: bind-group entries built as plain JS objects. */
final class BindGroups {
    private BindGroups() {}

    @JSBody(script = "return [];")
    static native JSObject newArray();

    @JSBody(params = { "a", "i", "buffer", "offset", "size" },
            script = "a.push({ binding: i, resource: { buffer: buffer, offset: offset, size: size } });")
    static native void pushEntry(JSObject a, int i, GPUBuffer buffer, double offset, double size);

    @JSBody(params = { "d", "label", "p", "entries" },
            script = "return d.createBindGroup({ label: label, layout: p.getBindGroupLayout(0), entries: entries });")
    static native GPUBindGroup create(GPUDevice d, String label, GPUPipeline.Compute p, JSObject entries);
}
