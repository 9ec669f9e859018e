package dev.kiln.shaders;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.model.DType;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every kernel variant (kernel × precision × weight dtype) compiles on Dawn without errors or warnings, read with
 * getCompilationInfo. Prints the adapter and whether it has shader-f16.
 */
class CompileGateTest {
    private static NodeGpu gpu;

    @BeforeAll static void start() {
        gpu = NodeGpu.start();
        System.out.println("adapter: " + gpu.adapter() + ", shader-f16: " + gpu.hasShaderF16()
                + ", maxStorageBufferBindingSize: " + gpu.limit("maxStorageBufferBindingSize"));
    }

    @AfterAll static void stop() { if (gpu != null) gpu.close(); }

    @Test
    void everyVariantCompilesCleanly() {
        NodeGpu.Run run = gpu.request();
        int variants = 0;
        for (Precision p : Precision.values()) {
            if (!gpu.supports(p)) continue;
            for (Kernel k : Kernel.values()) {
                for (DType t : k.hasWeights() ? DType.values() : new DType[] {null}) {
                    run.shader(Wgsl.source(k, p, t));
                    variants++;
                }
            }
        }
        NodeGpu.Result r = gpu.run(run);
        assertTrue(variants >= 15, "variants compiled: " + variants);
        for (Object messages : r.compilation()) assertTrue(((List<?>) messages).isEmpty(), "compilation messages: " + messages);
    }
}
