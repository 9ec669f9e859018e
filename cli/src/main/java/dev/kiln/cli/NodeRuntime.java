package dev.kiln.cli;

import dev.kiln.generate.GenerationRequest;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs one generation in Node with Dawn: spawns the installation's {@code node/generate.mjs} with the request as one
 * JSON object and reads the result back. Its progress and errors go straight to this process's stderr.
 */
final class NodeRuntime {
    private NodeRuntime() {}

    /**
     * @param text           receives the text as it is generated, or null to run without streaming (the engine's result
     *                       is then read from the script's last line)
     * @param profileRepeats when positive (and text is null), the engine then profiles one more decode token by kernel
     *                       role with this many repeats ({@link EngineResult#profile})
     * @return the engine's result, or null when the text was streamed
     */
    static EngineResult generate(String manifestUrl, GenerationRequest request, EngineOptions.Precision precision,
                                 Consumer<String> text, int profileRepeats) throws IOException, InterruptedException {
        Path script = Installation.requireNode("generate");
        List<String> cmd = new ArrayList<>(List.of("node", script.toString(), "--manifest", manifestUrl,
                "--request", request.toJson(), "--precision", precision.name()));
        if (text == null) cmd.add("--json");
        if (text == null && profileRepeats > 0) cmd.addAll(List.of("--profile", String.valueOf(profileRepeats)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putIfAbsent("VK_ICD_FILENAMES", "/usr/share/vulkan/icd.d/lvp_icd.json");
        Process p = pb.start();
        StringBuilder captured = new StringBuilder();
        try (Reader in = new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)) {
            char[] buf = new char[4096];
            for (int n; (n = in.read(buf)) > 0; ) {
                if (text != null) text.accept(new String(buf, 0, n));
                else captured.append(buf, 0, n);
            }
        }
        int code = p.waitFor();
        if (code != 0) {
            throw new CommandFailure(code == ExitCodes.BAD_INPUT || code == ExitCodes.USAGE ? code : ExitCodes.BUG,
                    "the engine failed in Node (exit " + code + "; its error is above)");
        }
        if (text != null) return null;
        String[] lines = captured.toString().strip().split("\n");
        return EngineResult.fromJson(lines[lines.length - 1]);
    }

    /** A writer-backed text sink that flushes every piece, so text appears as it is generated. */
    static Consumer<String> to(PrintWriter out) {
        return s -> {
            out.write(s);
            out.flush();
        };
    }
}
