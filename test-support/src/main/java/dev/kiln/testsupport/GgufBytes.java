package dev.kiln.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small GGUF writer for tests (versions 1–3), following the spec with its numeric type ids and independent of the
 * packager's reader: metadata of every type, tensors with raw bytes, and hooks to write malformed files (any type
 * id, any offset, any shape). Every key goes through {@link #kv} and every tensor through {@link #tensor}, so a
 * subclass can drop or change them as a writer fills it.
 */
public class GgufBytes {
    /** Metadata value type ids (the GGUF spec's gguf_type). */
    public static final int UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7,
            STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12;
    /** Tensor type ids (ggml_type) the writers here use. */
    public static final int F32 = 0, F16 = 1;

    /** A metadata array: element type id and values (nested arrays as {@code Array}). */
    public record Array(int elementType, List<Object> values) {}

    private final int version;
    private final List<byte[]> kvs = new ArrayList<>();
    private final List<Tensor> tensors = new ArrayList<>();
    private long alignment = 32;

    private record Tensor(String name, long[] ne, int type, byte[] data, Long offsetOverride) {}

    public GgufBytes(int version) { this.version = version; }

    /** One metadata key of type id {@code type}; arrays as {@link Array}. */
    public GgufBytes kv(String key, int type, Object value) {
        Out o = new Out();
        o.string(key);
        o.u32(type);
        o.value(type, value);
        kvs.add(o.bytes());
        if (key.equals("general.alignment")) alignment = ((Number) value).longValue();
        return this;
    }

    public GgufBytes string(String key, String v) { return kv(key, STRING, v); }

    public GgufBytes u32(String key, long v) { return kv(key, UINT32, v); }

    public GgufBytes f32(String key, float v) { return kv(key, FLOAT32, v); }

    /** Any type id, and an explicit data offset (null: the next aligned offset). */
    public GgufBytes tensor(String name, int typeId, long[] ne, byte[] data, Long offset) {
        tensors.add(new Tensor(name, ne, typeId, data, offset));
        return this;
    }

    public byte[] toBytes() {
        Out o = new Out();
        o.u32(0x46554747);
        o.u32(version);
        o.count(tensors.size());
        o.count(kvs.size());
        for (byte[] kv : kvs) o.raw(kv);
        long next = 0;
        List<Long> offsets = new ArrayList<>();
        for (Tensor t : tensors) {
            long off = t.offsetOverride != null ? t.offsetOverride : next;
            offsets.add(off);
            next = align(Math.max(next, off + t.data.length));
            o.string(t.name);
            o.u32(t.ne.length);
            for (long d : t.ne) o.count(d);
            o.u32(t.type);
            o.u64(off);
        }
        o.pad(align(o.size()) - o.size());
        long dataStart = o.size();
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (t.offsetOverride != null) continue; // overridden offsets point at data that may not exist
            o.pad(dataStart + offsets.get(i) - o.size());
            o.raw(t.data);
        }
        return o.bytes();
    }

    public Path write(Path file) throws IOException {
        Files.write(file, toBytes());
        return file;
    }

    private long align(long x) { return (x + alignment - 1) / alignment * alignment; }

    public static byte[] f32Bytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    /** Little-endian byte sink with GGUF's count/string widths for this version. */
    private final class Out {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream();

        void raw(byte[] x) { b.write(x, 0, x.length); }
        void u8(int v) { b.write(v); }
        void u16(int v) { u8(v & 0xff); u8((v >>> 8) & 0xff); }
        void u32(long v) { for (int i = 0; i < 4; i++) u8((int) (v >>> (8 * i)) & 0xff); }
        void u64(long v) { for (int i = 0; i < 8; i++) u8((int) (v >>> (8 * i)) & 0xff); }
        void count(long n) { if (version == 1) u32(n); else u64(n); }
        void pad(long n) { for (long i = 0; i < n; i++) u8(0); }
        long size() { return b.size(); }
        byte[] bytes() { return b.toByteArray(); }

        void string(String s) {
            byte[] x = s.getBytes(StandardCharsets.UTF_8);
            count(x.length);
            raw(x);
        }

        void value(int type, Object v) {
            switch (type) {
                case UINT8, INT8 -> u8(((Number) v).intValue() & 0xff);
                case UINT16, INT16 -> u16(((Number) v).intValue());
                case UINT32, INT32 -> u32(((Number) v).longValue());
                case UINT64, INT64 -> u64(((Number) v).longValue());
                case FLOAT32 -> u32(Float.floatToRawIntBits(((Number) v).floatValue()));
                case FLOAT64 -> u64(Double.doubleToRawLongBits(((Number) v).doubleValue()));
                case BOOL -> u8((Boolean) v ? 1 : 0);
                case STRING -> string((String) v);
                case ARRAY -> {
                    Array a = (Array) v;
                    u32(a.elementType());
                    count(a.values().size());
                    for (Object e : a.values()) value(a.elementType(), e);
                }
                default -> throw new IllegalArgumentException("no GGUF value type " + type);
            }
        }
    }
}
