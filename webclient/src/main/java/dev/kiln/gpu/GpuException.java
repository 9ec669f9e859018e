package dev.kiln.gpu;

/**
 * Everything that can go wrong between the engine and WebGPU, as a closed family so callers (and the JS API, which
 * reports {@link #kind()}) can tell "no WebGPU here" from "the device went away" from "our dispatch is invalid".
 */
public abstract sealed class GpuException extends RuntimeException
        permits GpuException.Unavailable, GpuException.DeviceLost, GpuException.Validation,
                GpuException.ShaderCompile, GpuException.OutOfMemory {

    GpuException(String message) { super(message); }

    /** A short stable name for the JS side: unavailable, device-lost, validation, shader-compile. */
    public abstract String kind();

    /** No {@code navigator.gpu}, or no adapter, or the device request failed: WebGPU cannot run here. */
    public static final class Unavailable extends GpuException {
        public Unavailable(String message) { super(message); }
        @Override public String kind() { return "unavailable"; }
    }

    /** The device was lost (driver reset, tab in the background too long, {@code destroy()}); reason from WebGPU. */
    public static final class DeviceLost extends GpuException {
        private final String reason;

        public DeviceLost(String reason, String message) {
            super("the GPU device was lost (" + reason + "): " + message + " — reload the model to continue");
            this.reason = reason;
        }

        public String reason() { return reason; }
        @Override public String kind() { return "device-lost"; }
    }

    /** A WebGPU validation or out-of-memory error caught by an error scope; {@link #label()} names the work. */
    public static final class Validation extends GpuException {
        private final String label;

        public Validation(String label, String filter, String message) {
            super("WebGPU " + filter + " error in " + label + ": " + message);
            this.label = label;
        }

        public String label() { return label; }
        @Override public String kind() { return "validation"; }
    }

    /** WGSL that the device's compiler refused; the message lists each error with its line and column. */
    public static final class ShaderCompile extends GpuException {
        public ShaderCompile(String label, String messages) {
            super("WGSL of " + label + " does not compile:\n" + messages);
        }
        @Override public String kind() { return "shader-compile"; }
    }

    /** The device ran out of memory while the model was being loaded; the message names the need and the limits. */
    public static final class OutOfMemory extends GpuException {
        public OutOfMemory(String message) { super(message); }
        @Override public String kind() { return "out-of-memory"; }
    }
}
