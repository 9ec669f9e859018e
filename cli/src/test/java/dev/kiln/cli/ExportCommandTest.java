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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExportCommandTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {}

    private Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Kiln.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Path site() throws IOException {
        Path site = Files.createDirectories(tmp.resolve("site"));
        Files.writeString(site.resolve("index.html"), "<!doctype html>");
        Files.createDirectories(site.resolve("engine/wasm"));
        Files.writeString(site.resolve("engine/wasm/kiln.wasm"), "wasm");
        return site;
    }

    @Test
    void exportWritesTheSiteEachPackagedModelAndAModelListWithRelativeUrls() throws IOException {
        Path model = TinyLlama.writer(3, false, 7).write(tmp.resolve("tiny.gguf"));
        Path out = tmp.resolve("dist");
        Run r = run("export", "--model", model.toString(), "--out", out.toString(), "--site-dir", site().toString(),
                "--cache-dir", tmp.resolve("cache").toString());
        assertEquals(ExitCodes.OK, r.code, r.err);
        assertTrue(Files.isRegularFile(out.resolve("index.html")) && Files.isRegularFile(out.resolve("engine/wasm/kiln.wasm")));
        Path dir = out.resolve("models/tiny");
        Manifest m = Manifest.fromJson(Files.readString(dir.resolve("manifest.json")));
        for (var s : m.shards()) assertTrue(Files.isRegularFile(dir.resolve(s.file())), s.file());
        assertTrue(Files.isRegularFile(dir.resolve(m.tokenizer())));
        String list = Files.readString(out.resolve("models.json"));
        assertTrue(list.contains("\"manifest_url\" : \"models/tiny/manifest.json\""), list);
        assertEquals(out.toAbsolutePath().toString(), r.out.strip());
    }

    @Test
    void aNonEmptyOutFolderIsRefusedWithExitFourAndLeftAlone() throws IOException {
        Path model = TinyLlama.writer(3, false, 7).write(tmp.resolve("tiny.gguf"));
        Path out = Files.createDirectories(tmp.resolve("dist"));
        Files.writeString(out.resolve("keep.txt"), "mine");
        Run r = run("export", "--model", model.toString(), "--out", out.toString(), "--site-dir", site().toString(),
                "--cache-dir", tmp.resolve("cache").toString());
        assertEquals(ExitCodes.IO, r.code, r.err);
        assertTrue(r.err.contains("is not empty"), r.err);
        assertFalse(Files.exists(out.resolve("index.html")));
    }
}
