package dev.kiln.chat;

import java.util.LinkedHashMap;
import java.util.Map;

/** jinja2's {@code namespace(...)}: the one object whose attributes {% set ns.x = v %} may change across scopes. */
final class Namespace {
    final Map<String, Object> attrs = new LinkedHashMap<>();
}
