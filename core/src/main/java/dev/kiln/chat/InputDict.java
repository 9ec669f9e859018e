package dev.kiln.chat;

import java.util.LinkedHashMap;

/**
 * A dict that came from the caller's untrusted data (a message, a tool, a document): its keys are stored as plain
 * strings for lookup, but read back as untrusted text wherever the template iterates or prints them.
 */
final class InputDict extends LinkedHashMap<Object, Object> {
    /** A key as a template value: untrusted text for a string key. */
    Object key(Object k) {
        return k instanceof String s ? MarkedString.untrusted(s) : k;
    }
}
