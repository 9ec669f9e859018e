package dev.kiln.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A model's chat template (the Jinja source in tokenizer_config.json's {@code chat_template}), parsed once and rendered
 * to the same text as Hugging Face {@code transformers}' {@code apply_chat_template}: jinja2's sandboxed environment
 * with {@code trim_blocks}, {@code lstrip_blocks}, the {@code loopcontrols} extension, the globals
 * {@code raise_exception(msg)} and {@code strftime_now(fmt)}, and {@code tojson} as {@code json.dumps} without ASCII
 * escaping. See docs/chat-templates.md for the supported subset.
 *
 * <pre>{@code
 * ChatTemplate t = ChatTemplate.parse(vocab.chatTemplate());
 * RenderedPrompt p = t.render(ChatInputs.of(messages, vocab.specialTokens()));
 * int[] ids = p.tokens(tokenizer);
 * }</pre>
 */
public final class ChatTemplate {
    private final List<Node> nodes;

    private ChatTemplate(List<Node> nodes) { this.nodes = nodes; }

    /** Parses a template; a syntax error or an unsupported tag is a {@link TemplateException} naming the line. */
    public static ChatTemplate parse(String source) {
        return new ChatTemplate(Parser.parse(source));
    }

    /**
     * Renders the template. Every string that comes from the inputs (message content and roles, tools, documents,
     * extras, dict keys among them) is untrusted, wherever the template moves it; template literals and the
     * special-token variables are trusted.
     *
     * @throws TemplateException when the template raises, or uses something undefined or unsupported
     */
    public RenderedPrompt render(ChatInputs in) {
        Scope globals = new Scope(null);
        globals.set("raise_exception", (Fn) (args, kw, line) -> {
            String msg = args.isEmpty() ? "" : Py.str(args.get(0));
            throw new TemplateException(TemplateException.Kind.RAISED, line, msg);
        });
        globals.set("strftime_now", (Fn) (args, kw, line) -> {
            if (in.now() == null) {
                throw Py.runtime(line, "this template calls strftime_now: give the current date with ChatInputs.at(WallTime)");
            }
            if (args.isEmpty() || !Py.isString(args.get(0))) throw Py.runtime(line, "strftime_now(format) needs a format string");
            return in.now().strftime(MarkedString.text(args.get(0)), line);
        });
        globals.set("namespace", (Fn) (args, kw, line) -> {
            Namespace ns = new Namespace();
            for (Object a : args) {
                if (!(a instanceof Map<?, ?> m)) throw Py.runtime(line, "namespace() takes keyword arguments or a dict");
                for (Map.Entry<?, ?> e : m.entrySet()) ns.attrs.put(MarkedString.text(e.getKey()), e.getValue());
            }
            ns.attrs.putAll(kw);
            return ns;
        });
        globals.set("range", (Fn) ChatTemplate::range);
        globals.set("dict", (Fn) (args, kw, line) -> new java.util.LinkedHashMap<Object, Object>(kw));
        Scope scope = new Scope(globals);
        for (Map.Entry<String, String> e : in.specialTokens().entrySet()) scope.set(e.getKey(), e.getValue());
        for (Map.Entry<String, ?> e : in.extra().entrySet()) scope.set(e.getKey(), untrusted(e.getValue()));
        scope.set("messages", untrusted(in.messages()));
        scope.set("tools", untrusted(in.tools()));
        scope.set("documents", untrusted(in.documents()));
        scope.set("add_generation_prompt", in.addGenerationPrompt());
        Output out = new Output();
        Evaluator ev = new Evaluator();
        try {
            ev.render(nodes, scope, out);
        } catch (TemplateException e) {
            throw e;
        } catch (RuntimeException e) { // a value this interpreter did not expect: still a template error, never a wrong prompt
            throw new TemplateException(TemplateException.Kind.RUNTIME, ev.line(), "cannot render this template: " + e);
        }
        Object v = out.value();
        return new RenderedPrompt(MarkedString.text(v), MarkedString.marks(v).clone());
    }

    /** Caller data as template values: strings become untrusted, numbers Long/Double, maps {@link InputDict}. */
    static Object untrusted(Object v) {
        if (v == null || v instanceof Boolean || v instanceof Long || v instanceof Double) return v;
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) return ((Number) v).longValue();
        if (v instanceof Float f) return (double) f;
        if (v instanceof String s) return MarkedString.untrusted(s);
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object o : l) out.add(untrusted(o));
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            InputDict out = new InputDict();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String k)) throw new IllegalArgumentException("template input maps need String keys, got " + e.getKey());
                out.put(k, untrusted(e.getValue()));
            }
            return out;
        }
        throw new IllegalArgumentException("unsupported template input value of type " + v.getClass().getSimpleName()
                + ": use Map, List, String, Boolean, a number or null");
    }

    private static Object range(List<Object> args, Map<String, Object> kw, int line) {
        if (args.isEmpty() || args.size() > 3) throw Py.runtime(line, "range expected 1 to 3 arguments, got " + args.size());
        for (Object a : args) if (!(a instanceof Long)) throw Py.runtime(line, "range() needs integers, got " + Py.typeName(a));
        long start = args.size() > 1 ? (Long) args.get(0) : 0, stop = (Long) args.get(args.size() > 1 ? 1 : 0);
        long step = args.size() > 2 ? (Long) args.get(2) : 1;
        if (step == 0) throw Py.runtime(line, "range() arg 3 must not be zero");
        List<Object> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            out.add(i);
            if (out.size() > 100_000) throw Py.runtime(line, "range() longer than 100000 items");
        }
        return out;
    }
}
