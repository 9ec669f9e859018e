package dev.kiln.chat;

import dev.kiln.json.Json;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The chat-template fixtures in {@code src/test/resources/chat-templates/}: templates, conversations, and the outputs
 * Python jinja2 renders for them ({@code render_expected.py}). Templates named "shared:NAME" are read from
 * ../shared/chat-templates (system property {@code kiln.shared}), never copied into the repository.
 */
final class Fixtures {
    private Fixtures() {}

    @SuppressWarnings("unchecked")
    static Map<String, Object> cases() { return (Map<String, Object>) Json.parse(resource("cases.json")); }

    @SuppressWarnings("unchecked")
    static Map<String, Object> expected() { return (Map<String, Object>) Json.parse(resource("expected.json")); }

    static String resource(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/chat-templates/" + name)) {
            if (in == null) throw new IllegalStateException("missing test resource chat-templates/" + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A template's source: from the fixtures, or from ../shared (skipped when absent, failed when CI=true). */
    static String template(String source) {
        if (!source.startsWith("shared:")) return resource("templates/" + source);
        String prop = System.getProperty("kiln.shared");
        Path root = prop != null ? Path.of(prop) : Files.isDirectory(Path.of("../shared")) ? Path.of("../shared") : Path.of("../../shared");
        Path p = root.resolve("chat-templates").resolve(source.substring(7));
        if (!Files.isRegularFile(p)) {
            String why = p.toAbsolutePath().normalize() + " is absent: this case needs the shared chat templates (../shared beside the checkout)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) Assertions.fail(why);
            Assumptions.abort(why);
        }
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** JSON data as template inputs: integral numbers become ints (the fixtures hold no floats like 2.0). */
    static Object ints(Object v) {
        if (v instanceof Double d) return d == Math.rint(d) && !Double.isInfinite(d) ? (Object) d.longValue() : d;
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object o : l) out.add(ints(o));
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) out.put((String) e.getKey(), ints(e.getValue()));
            return out;
        }
        return v;
    }

    /** The inputs of one case, as transformers' apply_chat_template would pass them. */
    @SuppressWarnings("unchecked")
    static ChatInputs inputs(Map<String, Object> cases, String template, String conversation) {
        Map<String, Object> t = (Map<String, Object>) ((Map<String, Object>) cases.get("templates")).get(template);
        Map<String, Object> c = (Map<String, Object>) ints(((Map<String, Object>) cases.get("conversations")).get(conversation));
        Map<String, String> special = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : ((Map<String, Object>) t.get("special_tokens")).entrySet()) special.put(e.getKey(), (String) e.getValue());
        List<Object> now = (List<Object>) ints(cases.get("now"));
        int[] n = new int[6];
        for (int i = 0; i < 6; i++) n[i] = (int) (long) (Long) now.get(i);
        return new ChatInputs((List<?>) c.get("messages"), (List<?>) c.get("tools"), (List<?>) c.get("documents"),
                !Boolean.FALSE.equals(c.get("add_generation_prompt")), special,
                c.containsKey("extra") ? (Map<String, Object>) c.get("extra") : Map.of(),
                new WallTime(n[0], n[1], n[2], n[3], n[4], n[5]));
    }
}
