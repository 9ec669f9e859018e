package dev.kiln.cli;

import dev.kiln.model.Manifest;
import dev.kiln.packager.TinyLlama;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class PackageCommandTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {}

    private Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = new CommandLine(new PackageCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void packagePrintsOneErrorLinePerTensorAndASummary() throws IOException {
        Path in = TinyLlama.writer(3, false, 7).write(tmp.resolve("tiny.gguf"));
        Run r = run(in.toString(), "--out", tmp.resolve("out").toString(), "--quant", "q4", "--shard-size", "8KB");
        assertEquals(ExitCodes.OK, r.code, r.err);
        Manifest m = Manifest.fromJson(Files.readString(tmp.resolve("out/manifest.json")));
        for (var t : m.tensors()) assertTrue(r.err.contains(t.name()), t.name() + " has no error line:\n" + r.err);
        assertTrue(r.err.contains("blk.0.attn_q") && r.err.contains("F32   -> q4   max_abs"), r.err);
        assertTrue(r.err.contains("packaged tiny.gguf: " + m.tensors().size() + " tensors in " + m.shards().size() + " shards"), r.err);
        assertEquals(tmp.resolve("out").toAbsolutePath().toString(), r.out.strip());
    }

    @Test
    void malformedInputExitsThreeWithTheProblemAndNoOutput() throws IOException {
        byte[] b = TinyLlama.writer(3, false, 7).toBytes();
        Path in = Files.write(tmp.resolve("cut.gguf"), Arrays.copyOf(b, b.length / 2));
        Run r = run(in.toString(), "--out", tmp.resolve("out").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code);
        assertTrue(r.err.startsWith("kiln package: error: cut.gguf: tensor '"), r.err);
        assertTrue(r.err.contains("truncated"), r.err);
        assertFalse(r.err.contains("\tat "), "no stack trace without --verbose");
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void missingInputExitsFour() {
        Run r = run(tmp.resolve("nope.gguf").toString(), "--out", tmp.resolve("out").toString());
        assertEquals(ExitCodes.IO, r.code);
        assertTrue(r.err.contains("nope.gguf: no such file"), r.err);
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(ExitCodes.USAGE, run("x.gguf").code, "--out is required");
        Run q = run("x.gguf", "--out", "o", "--quant", "q5");
        assertEquals(ExitCodes.USAGE, q.code);
        assertTrue(q.err.contains("unknown quantization 'q5'"), q.err);
        Run s = run("x.gguf", "--out", "o", "--shard-size", "12XB");
        assertEquals(ExitCodes.USAGE, s.code);
        assertTrue(s.err.contains("'12XB' is not a size"), s.err);
    }

    @Test
    void sizesAreBinaryMultiples() {
        assertEquals(32L << 20, ByteSize.parse("32MB"));
        assertEquals(32L << 20, ByteSize.parse("32MiB"));
        assertEquals(512L << 10, ByteSize.parse("512kb"));
        assertEquals(1L << 30, ByteSize.parse("1G"));
        assertEquals(4096, ByteSize.parse("4096"));
        assertThrows(CommandLine.TypeConversionException.class, () -> ByteSize.parse("MB"));
        assertThrows(CommandLine.TypeConversionException.class, () -> ByteSize.parse("0"));
        assertThrows(CommandLine.TypeConversionException.class, () -> ByteSize.parse("1.5MB"));
    }
}
