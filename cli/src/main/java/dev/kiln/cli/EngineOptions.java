package dev.kiln.cli;

import picocli.CommandLine.Option;

/** How the engine runs: {@code --precision} (and, for commands that run one runtime, {@code --runtime}). */
final class EngineOptions {

    /** Where the compiled engine runs. */
    enum Runtime {
        /** node/generate.mjs: the JavaScript build in Node with Dawn (lavapipe or the GPU; f16 where shader-f16 exists). */
        node,
        /** The demo page in headless Chromium (SwiftShader, f32): the Wasm GC build, as users run it. */
        browser
    }

    /** The engine's compute precision; auto picks f16 where the adapter has shader-f16. */
    enum Precision { auto, f16, f32 }

    @Option(names = "--precision", paramLabel = "<p>", description = "auto, f16 or f32 (default: ${DEFAULT-VALUE})")
    Precision precision = Precision.auto;
}
