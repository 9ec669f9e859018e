package dev.kiln.packager.inspect;

import dev.kiln.packager.PackOptions;
import dev.kiln.packager.Packager;
import dev.kiln.packager.Quant;
import dev.kiln.packager.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code inspect} on stories260K: counts derived by hand from its config, and input and package agree. */
class InspectTest {
    @TempDir Path tmp;

    // stories260K: dim 64, 5 layers, kv_dim 32, ffn 172, vocab 512
    static final long BLOCK = 64 + 64 * 64 + 32 * 64 + 32 * 64 + 64 * 64 + 64 + 3L * 172 * 64;
    static final long PARAMS_UNTIED = 2L * 512 * 64 + 5 * BLOCK + 64;

    @Test
    void ggufCountsEveryParameterAndItsF32Bytes() throws IOException {
        Inspect.Report r = Inspect.of(Shared.stories("stories260K.gguf"), Quant.KEEP, null);
        assertEquals(PARAMS_UNTIED, r.parameters());
        assertEquals(4 * PARAMS_UNTIED, r.weightBytes());
        assertEquals(48, r.byDtype().get("f32").tensors());
        assertEquals(2L * 5 * 32 * 4, r.kvBytesPerToken(4));
        assertEquals(2L * 5 * 32 * 2, r.kvBytesPerToken(2));
        assertEquals(r.weightBytes() + 2L * 5 * 32 * 4 * 128 + r.scratchBytes(), r.gpuBytes(4));
        assertEquals("token_embd", r.largest());
        assertTrue(r.fitsBinding());
    }

    @Test
    void aPackageReportsWhatItsInputPredicted() throws IOException {
        for (Quant q : new Quant[] {Quant.KEEP, Quant.Q4}) {
            Path out = tmp.resolve(q.id());
            Packager.pack(Shared.stories("stories260K.gguf"), out, PackOptions.defaults().withQuant(q));
            Inspect.Report predicted = Inspect.of(Shared.stories("stories260K.gguf"), q, null);
            Inspect.Report packaged = Inspect.of(out, Quant.KEEP, null);
            assertEquals(predicted.byDtype(), packaged.byDtype(), q.id());
            assertEquals(predicted.weightBytes(), packaged.weightBytes(), q.id());
            assertEquals("packaged", packaged.source());
        }
    }

    @Test
    void aTiedHuggingFaceFolderHasNoSeparateHead() throws IOException {
        Inspect.Report r = Inspect.of(Shared.stories("hf/config.json").getParent(), Quant.KEEP, 512);
        assertEquals(PARAMS_UNTIED - 512 * 64, r.parameters());
        assertEquals(512, r.context());
        assertEquals("hugging face folder", r.source());
    }

    @Test
    void textOutputNamesTheArchitectureAndFits() throws IOException {
        String text = String.join("\n", Inspect.describe(Inspect.of(Shared.stories("stories260K.gguf"), Quant.KEEP, null)));
        assertTrue(text.contains("architecture  llama") && text.contains("1 GiB: fits"), text);
        assertTrue(Files.exists(Shared.stories("stories260K.gguf")));
    }
}
