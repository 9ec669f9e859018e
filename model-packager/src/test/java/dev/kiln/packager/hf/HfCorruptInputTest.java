package dev.kiln.packager.hf;

import dev.kiln.packager.ModelFormatException;
import dev.kiln.packager.PackOptions;
import dev.kiln.packager.Packager;
import dev.kiln.packager.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Broken Hugging Face checkpoints (written from stories260K, then damaged) are refused with an error that names the
 * file and the problem, and the output folder's parent holds nothing afterwards (no package, no temporary folder).
 */
class HfCorruptInputTest {
    @TempDir Path tmp;

    Path checkpoint(int shards) throws IOException {
        return HfWriter.stories(Shared.stories("hf/config.json").getParent()).write(tmp.resolve("in"), shards);
    }

    String refused(Path in) throws IOException {
        Path outParent = Files.createDirectories(tmp.resolve("out"));
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> Packager.pack(in, outParent.resolve("pkg"), PackOptions.defaults()));
        try (Stream<Path> s = Files.list(outParent)) {
            assertEquals(0, s.count(), "nothing left behind in " + outParent);
        }
        return e.getMessage();
    }

    static void patch(Path file, long at, byte[] bytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            f.write(bytes);
        }
    }

    @Test
    void headerThatIsNotJsonIsRefused() throws IOException {
        Path in = checkpoint(1);
        patch(in.resolve("model.safetensors"), 8, "x".getBytes(StandardCharsets.US_ASCII));
        String msg = refused(in);
        assertTrue(msg.contains("model.safetensors") && msg.contains("not valid JSON"), msg);
    }

    @Test
    void headerLengthPastTheEndIsRefused() throws IOException {
        Path in = checkpoint(1);
        long size = Files.size(in.resolve("model.safetensors"));
        byte[] len = new byte[8];
        for (int i = 0; i < 8; i++) len[i] = (byte) (size >>> (8 * i));
        patch(in.resolve("model.safetensors"), 0, len);
        String msg = refused(in);
        assertTrue(msg.contains("header length " + size) && msg.contains("truncated"), msg);
    }

    @Test
    void tensorPastTheEndOfTheDataIsRefused() throws IOException {
        Path in = checkpoint(1);
        Path f = in.resolve("model.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(raf.length() - 100);
        }
        String msg = refused(in);
        assertTrue(msg.contains("model.norm.weight") && msg.contains("outside the data section"), msg);
    }

    @Test
    void missingShardNamedInTheIndexIsRefused() throws IOException {
        Path in = checkpoint(2);
        Files.delete(in.resolve("model-00002-of-00002.safetensors"));
        String msg = refused(in);
        assertTrue(msg.contains("model-00002-of-00002.safetensors") && msg.contains("missing"), msg);
    }

    @Test
    void configThatDisagreesWithATensorShapeIsRefused() throws IOException {
        Path in = checkpoint(1);
        String cfg = Files.readString(in.resolve("config.json")).replace("\"intermediate_size\" : 172", "\"intermediate_size\" : 176");
        Files.writeString(in.resolve("config.json"), cfg);
        String msg = refused(in);
        assertTrue(msg.contains("mlp.down_proj.weight") && msg.contains("[64, 172]") && msg.contains("[64, 176]"), msg);
    }

    @Test
    void unsupportedDtypeIsRefusedByName() throws IOException {
        Path in = checkpoint(1);
        Path f = in.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(f);
        String head = new String(all, 8, 200, StandardCharsets.ISO_8859_1);
        int at = head.indexOf("\"F32\"");
        patch(f, 8 + at, "\"I32\"".getBytes(StandardCharsets.US_ASCII));
        String msg = refused(in);
        assertTrue(msg.contains("dtype 'I32'"), msg);
    }

    @Test
    void missingConfigIsRefused() throws IOException {
        Path in = checkpoint(1);
        Files.delete(in.resolve("config.json"));
        Path out = tmp.resolve("o");
        assertThrows(Exception.class, () -> Packager.pack(in, out, PackOptions.defaults()));
        String msg = refused(in);
        assertTrue(msg.contains("no config.json"), msg);
    }
}
