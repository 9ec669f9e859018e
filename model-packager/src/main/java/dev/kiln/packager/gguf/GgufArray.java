package dev.kiln.packager.gguf;

import java.util.List;

/**
 * A GGUF metadata array: its element type and its values (represented as {@link GgufValueType} describes; an
 * array of arrays holds {@code GgufArray} elements).
 */
public record GgufArray(GgufValueType elementType, List<Object> values) {
    public int size() { return values.size(); }
}
