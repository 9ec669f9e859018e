package dev.kiln.gpu;

import java.util.List;

import org.teavm.jso.JSObject;
import org.teavm.jso.webgpu.GPUBindGroup;
import org.teavm.jso.webgpu.GPUComputePassEncoder;
import org.teavm.jso.webgpu.GPUPipeline;

/**
 * One kernel launch, fully prepared: pipeline, a static bind group and the workgroup counts. A plan is a list of
 * these, encoded unchanged for every token.
 *
 * @param label      what it computes and where ({@code step/L3}, e.g. {@code ATT/L3}); also the bind group's label,
 *                   so WebGPU's validation messages name it
 * @param pipeline   the compiled kernel
 * @param bindGroup  its buffers (group 0)
 * @param x          workgroups along x
 * @param y          workgroups along y
 * @param z          workgroups along z
 */
public record Dispatch(String label, GPUPipeline.Compute pipeline, GPUBindGroup bindGroup, int x, int y, int z) {

    /** Builds the bind group of {@code pipeline} (group 0, bindings in slot order) and the dispatch. */
    public static Dispatch of(Gpu gpu, String label, GPUPipeline.Compute pipeline, List<Binding> bindings,
                              int x, int y, int z) {
        if (x < 1 || y < 1 || z < 1) throw new IllegalArgumentException(label + ": workgroup counts must be ≥ 1, got " + x + "×" + y + "×" + z);
        int max = gpu.maxComputeWorkgroupsPerDimension();
        if (x > max || y > max || z > max) {
            throw new IllegalArgumentException(label + ": " + x + "×" + y + "×" + z + " workgroups exceed this device's " + max + " per dimension");
        }
        JSObject entries = BindGroups.newArray();
        for (int i = 0; i < bindings.size(); i++) {
            Binding b = bindings.get(i);
            BindGroups.pushEntry(entries, i, b.buffer(), b.offset(), b.size());
        }
        return new Dispatch(label, pipeline, BindGroups.create(gpu.device(), label, pipeline, entries), x, y, z);
    }

    /** Records this launch into an open compute pass. */
    public void encode(GPUComputePassEncoder pass) {
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, bindGroup);
        pass.dispatchWorkgroups(x, y, z);
    }
}
