package dev.kiln.packager.gguf;

import dev.kiln.packager.ModelFormatException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses a GGUF header (versions 1–3) and checks it against the file's length. Layout:
 *
 * <pre>
 * u32 magic "GGUF" | u32 version | N tensor_count | N kv_count          N = u32 in v1, u64 from v2
 * kv_count × { string key | u32 value_type | value }                  string = N length + UTF-8 bytes
 * tensor_count × { string name | u32 n_dims | n_dims × N ne | u32 ggml_type | u64 offset }
 * padding to general.alignment (default 32) | tensor data, each offset relative to here and aligned
 * </pre>
 *
 * Everything is validated before any tensor is read: counts that could not fit in the file, unknown value types,
 * unsupported tensor types, misaligned or overlapping data and data past the end of the file.
 */
final class GgufReader {
    private static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
    private static final int MAX_DIMS = 4;         // GGML_MAX_DIMS
    private static final int MAX_NESTING = 8;      // arrays of arrays deeper than this are not metadata anyone writes
    static final long DEFAULT_ALIGNMENT = 32;

    private final GgufInput in;
    private boolean wide;

    private GgufReader(GgufInput in) { this.in = in; }

    record Header(int version, Map<String, Object> metadata, Map<String, GgufValueType> types,
                  List<GgufTensor> tensors, long alignment, long dataOffset) {}

    static Header read(GgufInput in) throws IOException {
        return new GgufReader(in).header();
    }

    private Header header() throws IOException {
        int magic = in.i32();
        if (magic != MAGIC) {
            throw in.error(String.format("bad magic 0x%08x, expected \"GGUF\" (0x%08x): not a GGUF file", magic, MAGIC));
        }
        int version = in.i32();
        if (version < 1 || version > 3) {
            String hint = Integer.reverseBytes(version) >= 1 && Integer.reverseBytes(version) <= 3
                    ? " (this looks like a big-endian GGUF file, which Kiln does not read)" : "";
            throw in.error("unsupported GGUF version " + Integer.toUnsignedString(version) + ", expected 1–3" + hint);
        }
        wide = version >= 2;
        int n = wide ? 8 : 4;
        long tensorCount = in.count(wide, "tensor count", n + 4 + n + 4 + 8);
        long kvCount = in.count(wide, "metadata key count", n + 4 + 1);

        Map<String, Object> metadata = new LinkedHashMap<>();
        Map<String, GgufValueType> types = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            in.context = "metadata entry " + i;
            String key = in.string(wide);
            in.context = "metadata key '" + key + "'";
            GgufValueType type = valueType(in.u32());
            Object value = value(type, 0);
            if (metadata.put(key, value) != null) throw in.error("the key appears twice");
            types.put(key, type);
        }

        long alignment = DEFAULT_ALIGNMENT;
        if (metadata.containsKey("general.alignment")) {
            in.context = "metadata key 'general.alignment'";
            if (!(metadata.get("general.alignment") instanceof Long a) || a <= 0 || Long.bitCount(a) != 1) {
                throw in.error("value " + metadata.get("general.alignment") + " is not a positive power of two");
            }
            alignment = (Long) metadata.get("general.alignment");
        }

        List<TensorHeader> infos = new ArrayList<>();
        for (long i = 0; i < tensorCount; i++) {
            in.context = "tensor info " + i;
            String name = in.string(wide);
            in.context = "tensor '" + name + "'";
            long dims = in.u32();
            if (dims < 1 || dims > MAX_DIMS) throw in.error("has " + dims + " dimensions, expected 1–" + MAX_DIMS);
            long[] ne = new long[(int) dims];
            for (int d = 0; d < ne.length; d++) ne[d] = wide ? in.i64() : in.u32();
            int type = in.i32();
            long offset = in.i64();
            infos.add(new TensorHeader(name, ne, type, offset));
        }
        long dataOffset = align(in.pos, alignment);
        in.context = "the tensor data";
        if (dataOffset > in.size && tensorCount > 0) {
            throw in.error("the header ends at " + in.pos + " but the file ends at " + in.size + ": the file is truncated");
        }

        List<GgufTensor> tensors = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (TensorHeader h : infos) {
            in.context = "tensor '" + h.name + "'";
            if (!names.add(h.name)) throw in.error("the name appears twice");
            tensors.add(tensor(h, alignment, dataOffset));
        }
        checkOverlaps(tensors);
        in.context = "the header";
        return new Header(version, metadata, types, List.copyOf(tensors), alignment, dataOffset);
    }

    private record TensorHeader(String name, long[] ne, int type, long offset) {}

    private GgufTensor tensor(TensorHeader h, long alignment, long dataOffset) {
        long elements = 1;
        for (long d : h.ne) {
            if (d <= 0) throw in.error("dimension " + Long.toUnsignedString(d) + " in ne=" + Arrays.toString(h.ne) + " is not positive");
            try {
                elements = Math.multiplyExact(elements, d);
            } catch (ArithmeticException e) {
                throw in.error("shape ne=" + Arrays.toString(h.ne) + " has more elements than fit in 64 bits");
            }
        }
        GgmlType type = GgmlType.ofId(h.type);
        if (type == null) {
            throw in.error("has GGML type " + GgmlType.describe(h.type) + ", which Kiln cannot import; supported: "
                    + "F32, F16, BF16, Q8_0, Q4_0 (convert the model to one of these, e.g. with llama.cpp's llama-quantize)");
        }
        if (h.ne[0] % type.blockSize != 0) {
            throw in.error("row length ne[0]=" + h.ne[0] + " is not a multiple of " + type + "'s block size " + type.blockSize);
        }
        long bytes = type.byteSize(elements);
        if (h.offset < 0 || h.offset % alignment != 0) {
            throw in.error("data offset " + Long.toUnsignedString(h.offset) + " is not a multiple of the alignment " + alignment);
        }
        long start = dataOffset + h.offset;
        if (start < dataOffset || start > in.size || bytes > in.size - start) {
            throw in.error(type + " ne=" + Arrays.toString(h.ne) + " needs bytes [" + start + ", " + (start + bytes)
                    + ") but the file ends at " + in.size + ": the file is truncated or the offset is corrupt");
        }
        return new GgufTensor(h.name, h.ne, type, start, bytes);
    }

    private void checkOverlaps(List<GgufTensor> tensors) {
        List<GgufTensor> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparingLong(GgufTensor::offset));
        for (int i = 1; i < sorted.size(); i++) {
            GgufTensor a = sorted.get(i - 1), b = sorted.get(i);
            if (a.offset() + a.bytes() > b.offset()) {
                in.context = "tensor '" + b.name() + "'";
                throw in.error("data at " + b.offset() + " overlaps tensor '" + a.name() + "' ("
                        + a.offset() + "+" + a.bytes() + "): the offsets are corrupt");
            }
        }
    }

    private GgufValueType valueType(long id) {
        GgufValueType t = GgufValueType.ofId(id);
        if (t == null) throw in.error("unknown value type " + id + ", expected 0–12");
        return t;
    }

    private Object value(GgufValueType type, int depth) throws IOException {
        return switch (type) {
            case UINT8 -> (long) in.u8();
            case INT8 -> (long) (byte) in.u8();
            case UINT16 -> (long) (in.i16() & 0xffff);
            case INT16 -> (long) in.i16();
            case UINT32 -> in.u32();
            case INT32 -> (long) in.i32();
            case UINT64, INT64 -> in.i64();
            case FLOAT32 -> in.f32();
            case FLOAT64 -> in.f64();
            case BOOL -> {
                int b = in.u8();
                if (b > 1) throw in.error("bool value " + b + " is neither 0 nor 1");
                yield b == 1;
            }
            case STRING -> in.string(wide);
            case ARRAY -> array(depth);
        };
    }

    private GgufArray array(int depth) throws IOException {
        if (depth >= MAX_NESTING) throw in.error("arrays nested deeper than " + MAX_NESTING);
        GgufValueType element = valueType(in.u32());
        int n = wide ? 8 : 4;
        long minBytes = switch (element) {
            case STRING -> n;
            case ARRAY -> 4 + n;
            default -> element.size;
        };
        long count = in.count(wide, "array length", minBytes);
        if (count > Integer.MAX_VALUE - 16) throw in.error("array length " + count + " is too large");
        List<Object> values = new ArrayList<>((int) Math.min(count, 1 << 20));
        for (long i = 0; i < count; i++) values.add(value(element, depth + 1));
        return new GgufArray(element, values);
    }

    static long align(long x, long alignment) { return (x + alignment - 1) / alignment * alignment; }
}
