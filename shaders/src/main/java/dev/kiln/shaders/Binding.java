package dev.kiln.shaders;

/**
 * One entry of a kernel's bind group (group 0), as its {@code .wgsl} header declares it.
 *
 * @param slot   the {@code @binding} index
 * @param name   the WGSL variable name
 * @param access how the kernel uses the buffer: the bind group layout entry type
 * @param type   the WGSL store type ({@code array<f32>}, {@code array<u32>}, {@code array<kv>}, {@code Step}, {@code Params})
 * @param shape  what the buffer holds, in model terms, e.g. {@code (rows, cols) weights}
 */
public record Binding(int slot, String name, Access access, String type, String shape) {

    /** The three kinds of buffer binding the kernels use (WebGPU {@code GPUBufferBindingType}). */
    public enum Access {
        READ("read-only-storage"), READ_WRITE("storage"), UNIFORM("uniform");

        private final String webGpuType;

        Access(String webGpuType) { this.webGpuType = webGpuType; }

        /** The {@code GPUBufferBindingType} string for a bind group layout entry. */
        public String webGpuType() { return webGpuType; }
    }

    static Binding read(int slot, String name, String type, String shape) {
        return new Binding(slot, name, Access.READ, type, shape);
    }

    static Binding readWrite(int slot, String name, String type, String shape) {
        return new Binding(slot, name, Access.READ_WRITE, type, shape);
    }

    static Binding uniform(int slot, String name, String type, String shape) {
        return new Binding(slot, name, Access.UNIFORM, type, shape);
    }
}
