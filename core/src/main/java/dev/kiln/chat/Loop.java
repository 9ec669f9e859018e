package dev.kiln.chat;

import java.util.List;

/** The {@code loop} variable inside a for loop. */
final class Loop {
    private final List<Object> items;
    int index0;

    Loop(List<Object> items) { this.items = items; }

    /** loop.name, or an {@link Undefined} for a name jinja2's loop does not have. */
    Object attr(String name) {
        int n = items.size();
        return switch (name) {
            case "index" -> (long) index0 + 1;
            case "index0" -> (long) index0;
            case "revindex" -> (long) (n - index0);
            case "revindex0" -> (long) (n - index0 - 1);
            case "first" -> index0 == 0;
            case "last" -> index0 == n - 1;
            case "length" -> (long) n;
            case "depth" -> 1L;
            case "depth0" -> 0L;
            case "previtem" -> index0 > 0 ? items.get(index0 - 1) : new Undefined("there is no previous item");
            case "nextitem" -> index0 < n - 1 ? items.get(index0 + 1) : new Undefined("there is no next item");
            case "cycle" -> (Fn) (args, kwargs, line) -> {
                if (args.isEmpty()) throw Py.runtime(line, "loop.cycle() needs at least one value");
                return args.get(index0 % args.size());
            };
            default -> new Undefined("'LoopContext object' has no attribute '" + name + "'");
        };
    }
}
