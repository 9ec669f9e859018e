package dev.kiln.chat;

import java.util.ArrayList;
import java.util.Collection;

/** A Python tuple: a list in every way except that it prints as {@code (a, b)} (dict.items() pairs, (x, y) literals). */
final class Tuple extends ArrayList<Object> {
    Tuple(Collection<?> items) { super(items); }

    /** A dict view (dict.items(), keys(), values()): a list that prints as {@code dict_items([...])}. */
    static final class DictView extends ArrayList<Object> {
        final String kind; // "dict_items", "dict_keys", "dict_values"

        DictView(String kind, Collection<?> items) {
            super(items);
            this.kind = kind;
        }
    }
}
