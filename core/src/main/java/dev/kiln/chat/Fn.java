package dev.kiln.chat;

import java.util.List;
import java.util.Map;

/** A callable template value: a global ({@code namespace}, {@code range} ...), a bound method, or a macro. */
interface Fn {
    Object call(List<Object> args, Map<String, Object> kwargs, int line);
}
