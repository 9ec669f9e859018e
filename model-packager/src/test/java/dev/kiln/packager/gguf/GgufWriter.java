package dev.kiln.packager.gguf;

import dev.kiln.testsupport.GgufBytes;

import java.util.ArrayList;
import java.util.List;

/**
 * test-support's GGUF writer ({@link GgufBytes}) spoken in the reader's types: {@link GgufValueType} and
 * {@link GgmlType} for ids, {@link GgufArray} for arrays. The bytes follow the spec, independent of {@link GgufReader}.
 */
public class GgufWriter extends GgufBytes {
    public GgufWriter(int version) { super(version); }

    public GgufWriter kv(String key, GgufValueType type, Object value) {
        return kv(key, type.ordinal(), value);
    }

    @Override
    public GgufWriter kv(String key, int type, Object value) {
        super.kv(key, type, value instanceof GgufArray a ? spec(a) : value);
        return this;
    }

    @Override public GgufWriter string(String key, String v) { return (GgufWriter) super.string(key, v); }

    @Override public GgufWriter u32(String key, long v) { return (GgufWriter) super.u32(key, v); }

    @Override public GgufWriter f32(String key, float v) { return (GgufWriter) super.f32(key, v); }

    public GgufWriter tensor(String name, GgmlType type, long[] ne, byte[] data) {
        return tensor(name, type.id, ne, data, null);
    }

    @Override
    public GgufWriter tensor(String name, int typeId, long[] ne, byte[] data, Long offset) {
        super.tensor(name, typeId, ne, data, offset);
        return this;
    }

    public static GgufArray array(GgufValueType type, Object... values) { return new GgufArray(type, List.of(values)); }

    private static GgufBytes.Array spec(GgufArray a) {
        List<Object> values = new ArrayList<>();
        for (Object v : a.values()) values.add(v instanceof GgufArray inner ? spec(inner) : v);
        return new GgufBytes.Array(a.elementType().ordinal(), values);
    }
}
