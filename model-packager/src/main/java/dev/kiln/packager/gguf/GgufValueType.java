package dev.kiln.packager.gguf;

/**
 * Types of GGUF metadata values (the ids of the GGUF spec). How {@link GgufReader} represents each in Java:
 * every integer type as {@link Long} (unsigned 64-bit values above {@code Long.MAX_VALUE} keep their bits),
 * FLOAT32 as {@link Float}, FLOAT64 as {@link Double}, BOOL as {@link Boolean}, STRING as {@link String},
 * ARRAY as a {@link GgufArray}.
 */
public enum GgufValueType {
    UINT8(1), INT8(1), UINT16(2), INT16(2), UINT32(4), INT32(4), FLOAT32(4), BOOL(1), STRING(-1), ARRAY(-1),
    UINT64(8), INT64(8), FLOAT64(8);

    /** Bytes of one value, or -1 where it has a length prefix. */
    public final int size;

    GgufValueType(int size) { this.size = size; }

    /** The type with id {@code id} (its ordinal in the spec), or null when there is none. */
    static GgufValueType ofId(long id) {
        return id >= 0 && id < values().length ? values()[(int) id] : null;
    }

    public boolean isInteger() { return size > 0 && this != FLOAT32 && this != FLOAT64 && this != BOOL; }
}
