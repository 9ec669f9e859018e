package dev.kiln.cli;

import dev.kiln.packager.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code kiln inspect}: its JSON output and exit codes (the report itself is tested in model-packager's InspectTest). */
class InspectCommandTest {
    @TempDir Path tmp;

    // stories260K: dim 64, 5 layers, kv_dim 32, ffn 172, vocab 512
    static final long BLOCK = 64 + 64 * 64 + 32 * 64 + 32 * 64 + 64 * 64 + 64 + 3L * 172 * 64;
    static final long PARAMS_UNTIED = 2L * 512 * 64 + 5 * BLOCK + 64;

    @Test
    void jsonOutputHasTheEstimateAndLimits() throws IOException {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new InspectCommand());
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute(Shared.stories("stories260K.gguf").toString(), "--json", "--quant", "q8"));
        JsonNode j = new ObjectMapper().readTree(out.toString());
        assertEquals(PARAMS_UNTIED, j.path("parameters").asLong());
        assertTrue(j.path("tensors_by_dtype").has("q8") && j.path("tensors_by_dtype").has("f16"), j.toString());
        assertTrue(j.path("fits").path("binding_128MiB").asBoolean());
        assertTrue(j.path("fits").path("1GiB_f16").asBoolean());
        assertTrue(j.path("gpu").path("total_bytes_f32").asLong() > j.path("gpu").path("total_bytes_f16").asLong());
    }

    @Test
    void aMissingInputIsAnIoErrorExitCode() {
        CommandLine cli = new CommandLine(new InspectCommand());
        cli.setErr(new PrintWriter(new StringWriter()));
        assertEquals(4, cli.execute(tmp.resolve("absent.gguf").toString()));
    }

}
