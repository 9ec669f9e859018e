package dev.kiln.json;

import java.util.List;
import java.util.Map;

/** Typed, checked access to one parsed JSON object; a missing or mistyped field names itself in the error. */
public record JsonObject(Map<String, Object> map, String where) {

    @SuppressWarnings("unchecked")
    public static JsonObject of(Object parsed, String where) {
        if (!(parsed instanceof Map)) throw new JsonException(where + ": expected a JSON object");
        return new JsonObject((Map<String, Object>) parsed, where);
    }

    public boolean has(String key) { return map.containsKey(key) && map.get(key) != null; }

    public Object raw(String key) {
        if (!map.containsKey(key)) throw new JsonException(where + ": missing field '" + key + "'");
        return map.get(key);
    }

    public String string(String key) {
        Object v = raw(key);
        if (!(v instanceof String)) throw new JsonException(where + ": field '" + key + "' must be a string");
        return (String) v;
    }

    public String string(String key, String fallback) { return has(key) ? string(key) : fallback; }

    public double number(String key) {
        Object v = raw(key);
        if (!(v instanceof Double)) throw new JsonException(where + ": field '" + key + "' must be a number");
        return (Double) v;
    }

    public double number(String key, double fallback) { return has(key) ? number(key) : fallback; }

    public int integer(String key) {
        double d = number(key);
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw new JsonException(where + ": field '" + key + "' must be an integer, got " + d);
        }
        return (int) d;
    }

    /** Element {@code i} of an array that must hold numbers; {@code where} names the array for the message. */
    public static double numberAt(List<Object> array, int i, String where) {
        Object v = array.get(i);
        if (!(v instanceof Double d)) throw new JsonException(where + "[" + i + "] must be a number, got " + (v instanceof String ? "a string" : String.valueOf(v)));
        return d;
    }

    public int integer(String key, int fallback) { return has(key) ? integer(key) : fallback; }

    public long longInteger(String key) {
        double d = number(key);
        if (d != Math.rint(d) || d < 0) throw new JsonException(where + ": field '" + key + "' must be a non-negative integer");
        return (long) d;
    }

    public boolean bool(String key, boolean fallback) {
        if (!has(key)) return fallback;
        Object v = map.get(key);
        if (!(v instanceof Boolean)) throw new JsonException(where + ": field '" + key + "' must be true or false");
        return (Boolean) v;
    }

    public JsonObject object(String key) { return of(raw(key), where + "." + key); }

    @SuppressWarnings("unchecked")
    public List<Object> array(String key) {
        Object v = raw(key);
        if (!(v instanceof List)) throw new JsonException(where + ": field '" + key + "' must be an array");
        return (List<Object>) v;
    }
}
