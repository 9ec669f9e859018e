package dev.kiln.packager.hf;

import dev.kiln.packager.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Numbers in a safetensors header that do not fit 64 bits, or whose product does not, are input errors with the real figures. */
class SafetensorsHeaderTest {
    @TempDir Path tmp;

    /** A safetensors file with {@code header} and {@code data} zero bytes after it. */
    static byte[] file(String header, int data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + data).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h).array();
    }

    String refused(String header) throws IOException {
        Files.write(tmp.resolve("model.safetensors"), file(header, 64));
        try (DirFiles files = new DirFiles(tmp)) {
            return assertThrows(ModelFormatException.class, () -> Safetensors.header(files, "model.safetensors")).getMessage();
        }
    }

    @Test
    void aShapeDimensionBeyond64BitsIsAnInputErrorNamingIt() throws IOException {
        String msg = refused("{\"w\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999999],\"data_offsets\":[0,4]}}");
        assertTrue(msg.contains("99999999999999999999999") && msg.contains("'w'"), msg);
    }

    @Test
    void dataOffsetsBeyond64BitsAreAnInputErrorNamingThem() throws IOException {
        String msg = refused("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,18446744073709551616]}}");
        assertTrue(msg.contains("18446744073709551616") && msg.contains("'w'"), msg);
    }

    @Test
    void aShapeWhoseProductOverflowsIsRefusedWithTheRealElementCount() throws IOException {
        String msg = refused("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}");
        assertTrue(msg.contains("18446744073709551616 elements"), msg);
        assertTrue(!msg.contains("needs 0"), msg);
    }
}
