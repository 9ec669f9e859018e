package dev.kiln.chat;

import java.util.ArrayList;
import java.util.Collection;

/** A Python tuple: a list in every way except that it prints as {@code (a, b)} (dict.items() pairs, (x, y) literals). */
final class Tuple extends ArrayList<Object> {
    Tuple(Collection<?> items) { super(items); }
}
