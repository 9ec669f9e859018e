package dev.kiln.gpu;

import org.teavm.jso.JSBody;
import org.teavm.jso.JSObject;
import org.teavm.jso.core.JSPromise;
import org.teavm.jso.webgpu.GPUDevice;
import org.teavm.jso.webgpu.GPUPipeline;
import org.teavm.jso.webgpu.GPUShaderModule;

/**
 * Compute pipelines from WGSL text. Every module's {@code getCompilationInfo()} is checked (a WGSL error is a
 * {@link GpuException.ShaderCompile} with line and column, not a console warning), and pipeline creation runs inside
 * error scopes, so a layout mismatch names the kernel.
 */
public final class Pipelines {
    private Pipelines() {}

    /**
     * Compiles {@code wgsl} (entry point {@code main}) into a compute pipeline whose group-0 layout is given
     * explicitly, one {@code GPUBufferBindingType} per slot ("read-only-storage", "storage", "uniform"), so a binding
     * the kernel happens not to touch still belongs to the layout.
     */
    public static GPUPipeline.Compute create(Gpu gpu, String label, String wgsl, String[] bindingTypes) {
        GPUDevice device = gpu.device();
        gpu.pushScopes();
        GPUShaderModule module = createModule(device, label, wgsl);
        String errors = compilationErrors(Await.await(module.getCompilationInfo(), "getCompilationInfo of " + label));
        if (!errors.isEmpty()) {
            gpu.checkScopesQuietly();
            throw new GpuException.ShaderCompile(label, errors);
        }
        GPUPipeline.Compute pipeline;
        try {
            JSObject layout = layout(device, label, bindingTypes);
            pipeline = Await.await(createAsync(device, label, module, layout), "createComputePipelineAsync of " + label);
        } catch (Await.PromiseRejected e) {
            gpu.checkScopesQuietly();
            throw new GpuException.Validation(label, "pipeline", e.getMessage());
        }
        gpu.checkScopes("pipeline " + label);
        return pipeline;
    }

    @JSBody(params = { "d", "label", "code" }, script = "return d.createShaderModule({ label: label, code: code });")
    private static native GPUShaderModule createModule(GPUDevice d, String label, String code);

    @JSBody(params = { "d", "label", "module", "layout" }, script = "return d.createComputePipelineAsync({ label: label,"
            + " layout: layout, compute: { module: module, entryPoint: 'main' } });")
    private static native JSPromise<GPUPipeline.Compute> createAsync(GPUDevice d, String label, GPUShaderModule module,
                                                                     JSObject layout);

    @JSBody(params = { "d", "label", "types" }, script = ""
            + "var entries = [];"
            + "for (var i = 0; i < types.length; i++) entries.push({ binding: i, visibility: 4, buffer: { type: types[i] } });"
            + "var bgl = d.createBindGroupLayout({ label: label, entries: entries });"
            + "return d.createPipelineLayout({ label: label, bindGroupLayouts: [bgl] });")
    private static native JSObject layout(GPUDevice d, String label, String[] types);

    /** "line:col message" for each error of a compilation info, one per line; empty when there are none. */
    @JSBody(params = "info", script = "return info.messages.filter(function(m) { return m.type === 'error'; })"
            + ".map(function(m) { return '  ' + m.lineNum + ':' + m.linePos + ' ' + m.message; }).join('\\n');")
    private static native String compilationErrors(JSObject info);
}
