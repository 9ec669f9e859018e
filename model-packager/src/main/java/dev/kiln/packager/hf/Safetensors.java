package dev.kiln.packager.hf;

import dev.kiln.packager.ModelFormatException;
import dev.kiln.packager.gguf.GgmlType;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Reads the header of a safetensors file:
 * <pre>
 * u64 little-endian N | N bytes of JSON {"name": {"dtype": "BF16", "shape": [r, c], "data_offsets": [b, e]}, …,
 *                                        "__metadata__": {…}} | data (offsets relative to byte 8 + N)
 * </pre>
 * Only the header is read here (memory: the header); tensor bytes are read later with positional reads. Every
 * range is checked against the file size, so a corrupt header is an error naming the file and the tensor.
 */
public final class Safetensors {
    private Safetensors() {}

    /** The format's own limit on the header (safetensors refuses larger headers). */
    static final long MAX_HEADER = 100L << 20;

    static final ObjectMapper JSON = new ObjectMapper();

    /** Most elements one tensor may have (2^40, i.e. 2 TiB of BF16): products are checked before they overflow. */
    static final long MAX_ELEMENTS = 1L << 40;

    /** The exact element count of a shape, for messages (BigInteger: the long product may have overflowed). */
    private static java.math.BigInteger product(JsonNode sh) {
        java.math.BigInteger p = java.math.BigInteger.ONE;
        for (JsonNode d : sh) p = p.multiply(d.bigIntegerValue());
        return p;
    }

    /** The tensors of {@code file}, sorted by offset. */
    public static List<SafetensorsTensor> header(HfFiles files, String file) throws IOException {
        String where = files.label() + "/" + file;
        long size = files.size(file).orElseThrow(() -> new ModelFormatException(where + " is missing"));
        if (size < 8) throw new ModelFormatException(where + ": " + size + " bytes, too short for a safetensors file (8-byte header length first)");
        byte[] len = files.read(file, 0, 8);
        long n = 0;
        for (int i = 7; i >= 0; i--) n = n << 8 | (len[i] & 0xff);
        if (n < 2 || n > size - 8 || n > MAX_HEADER) {
            throw new ModelFormatException(where + ": header length " + Long.toUnsignedString(n) + " is impossible for a file of "
                    + size + " bytes (expected 2.." + Math.min(size - 8, MAX_HEADER) + "): the file is truncated or not safetensors");
        }
        JsonNode root;
        try {
            root = JSON.readTree(files.read(file, 8, (int) n));
        } catch (JacksonException e) {
            throw new ModelFormatException(where + ": header is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) throw new ModelFormatException(where + ": header must be a JSON object");
        long dataStart = 8 + n, dataSize = size - dataStart;
        List<SafetensorsTensor> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (e.getKey().equals("__metadata__")) continue;
            out.add(tensor(where, file, e.getKey(), e.getValue(), dataStart, dataSize));
        }
        out.sort(Comparator.comparingLong(SafetensorsTensor::begin));
        for (int i = 1; i < out.size(); i++) {
            if (out.get(i).begin() < out.get(i - 1).end()) {
                throw new ModelFormatException(where + ": tensors '" + out.get(i - 1).name() + "' and '" + out.get(i).name() + "' overlap");
            }
        }
        return out;
    }

    private static SafetensorsTensor tensor(String where, String file, String name, JsonNode t, long dataStart, long dataSize) {
        String at = where + ": tensor '" + name + "'";
        if (!t.isObject()) throw new ModelFormatException(at + " must be an object with dtype, shape and data_offsets");
        String dtype = t.path("dtype").asString("");
        GgmlType type = switch (dtype) {
            case "F32" -> GgmlType.F32;
            case "F16" -> GgmlType.F16;
            case "BF16" -> GgmlType.BF16;
            default -> throw new ModelFormatException(at + " has dtype '" + dtype
                    + "'; Kiln reads F32, F16 and BF16 safetensors (convert pre-quantized checkpoints to one of these first)");
        };
        JsonNode sh = t.path("shape"), off = t.path("data_offsets");
        if (!sh.isArray()) throw new ModelFormatException(at + " has no shape array");
        long[] shape = new long[sh.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0 || d.asLong() > MAX_ELEMENTS) {
                throw new ModelFormatException(at + " has shape " + sh + ": dimension " + i + " is " + d
                        + ", expected a whole number in 0.." + MAX_ELEMENTS);
            }
            shape[i] = d.asLong();
            if (shape[i] != 0 && elements > MAX_ELEMENTS / shape[i]) {
                throw new ModelFormatException(at + " has shape " + sh + ": " + product(sh) + " elements, more than the "
                        + MAX_ELEMENTS + " a tensor may have: the header is corrupt");
            }
            elements *= shape[i];
        }
        if (!off.isArray() || off.size() != 2 || !off.get(0).isIntegralNumber() || !off.get(1).isIntegralNumber()
                || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong()) {
            throw new ModelFormatException(at + " needs data_offsets [begin, end] of whole numbers below 2^63, found " + off);
        }
        long b = off.get(0).asLong(), e = off.get(1).asLong();
        if (b < 0 || e < b || e > dataSize) {
            throw new ModelFormatException(at + " has data_offsets [" + b + ", " + e + "] outside the data section of "
                    + dataSize + " bytes: the file is truncated or its header is corrupt");
        }
        long want = type.byteSize(elements);
        if (e - b != want) {
            throw new ModelFormatException(at + " holds " + (e - b) + " bytes but " + dtype + " " + sh + " needs " + want);
        }
        return new SafetensorsTensor(file, name, type, shape, dataStart + b, dataStart + e);
    }
}
