package dev.kiln.engine;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.kiln.gpu.Gpu;
import dev.kiln.gpu.Pipelines;
import dev.kiln.model.DType;
import dev.kiln.shaders.Binding;
import dev.kiln.shaders.Kernel;
import dev.kiln.shaders.Params;
import dev.kiln.shaders.Precision;
import dev.kiln.shaders.Wgsl;
import org.teavm.jso.webgpu.GPUPipeline;

/**
 * Compiled kernels, one per (kernel, precision, weight dtype); a model needs a handful, built once at load. With
 * {@code subgroups} the reducing kernels take the subgroup reduction prelude ({@link Wgsl#source}).
 */
public final class PipelineCache {

    /** What makes two pipelines the same; {@code weights} is null for kernels without a weight binding. */
    public record Key(Kernel kernel, Precision precision, DType weights) {
        public String label() { return kernel.name() + "/" + precision.name() + (weights == null ? "" : "/" + weights.id()); }
    }

    private final Gpu gpu;
    private final Precision precision;
    private final Map<Key, GPUPipeline.Compute> pipelines = new HashMap<>();
    private final Map<Kernel, String> overrides;
    private final boolean subgroups;

    public PipelineCache(Gpu gpu, Precision precision) { this(gpu, precision, Map.of(), false); }

    /**
     * With {@code overrides}: kernel file texts used instead of the built-in ones (a developer's changed kernel);
     * {@code subgroups}: the subgroup reduction prelude (the device must have the feature).
     */
    public PipelineCache(Gpu gpu, Precision precision, Map<Kernel, String> overrides, boolean subgroups) {
        this.gpu = gpu;
        this.precision = precision;
        this.overrides = overrides;
        this.subgroups = subgroups;
    }

    public Precision precision() { return precision; }

    /** Whether the reducing kernels use subgroup operations. */
    public boolean subgroups() { return subgroups; }

    /** Teams of rows per mat-vec workgroup for these pipelines on this device ({@link Params#rowTeams}). */
    public int rowTeams() { return Params.rowTeams(subgroups, gpu.subgroupMaxSize()); }

    public int size() { return pipelines.size(); }

    /** The pipeline of {@code kernel} over weights of type {@code weights} (ignored when the kernel has none). */
    public GPUPipeline.Compute get(Kernel kernel, DType weights) {
        Key key = new Key(kernel, precision, kernel.hasWeights() ? weights : null);
        GPUPipeline.Compute p = pipelines.get(key);
        if (p == null) {
            p = Pipelines.create(gpu, key.label(), Wgsl.source(kernel, precision, key.weights(), subgroups, overrides.get(kernel)), bindingTypes(kernel));
            pipelines.put(key, p);
        }
        return p;
    }

    private static String[] bindingTypes(Kernel kernel) {
        List<Binding> bs = kernel.bindings();
        String[] types = new String[bs.size()];
        for (int i = 0; i < types.length; i++) types[i] = bs.get(i).access().webGpuType();
        return types;
    }
}
