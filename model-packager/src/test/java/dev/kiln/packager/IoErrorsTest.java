package dev.kiln.packager;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class IoErrorsTest {

    @Test
    void aFullDiskErrorNamesTheFileAndWhatToDo() {
        Path full = Path.of("/dev/full"); // every write fails with ENOSPC, as on a full disk
        assumeTrue(Files.isWritable(full), "/dev/full is not writable here, so a real ENOSPC cannot be produced");
        IOException raw = null;
        try (OutputStream o = Files.newOutputStream(full)) {
            o.write(new byte[4096]);
            o.flush();
        } catch (IOException e) {
            raw = e;
        }
        assertTrue(raw != null && raw.getMessage().contains("No space left"), String.valueOf(raw));
        String msg = IoErrors.naming(Path.of("/out/pkg/shard-00000.partial"), raw).getMessage();
        assertTrue(msg.contains("/out/pkg/shard-00000.partial") && msg.contains("No space left") && msg.contains("free space"), msg);
    }
}
