package dev.kiln.csp;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Rewrites TeaVM 0.16's WebAssembly GC runtime ({@code copy-webassembly-gc-runtime}, {@code modular=true}) so that it
 * never evaluates a string as JavaScript, and so runs under a Content-Security-Policy without {@code 'unsafe-eval'}.
 *
 * <p>Each rewrite is an exact text replacement of one block of TeaVM's runtime, checked to occur exactly once; if
 * TeaVM's text changes the build fails naming the block, never leaving a half-patched runtime. What replaces what:
 * <ul>
 *   <li>{@code getGlobalName}/{@code setGlobalName} ({@code new Function("return " + name)}): a lookup of the dotted
 *       name on {@code globalThis} (a name that is not a dotted identifier path throws).</li>
 *   <li>{@code defineFunction}, {@code defineMethod} (wrappers of exported Java methods built as source text) and
 *       {@code renameConstructor}: closures with rest parameters; the wrapper's {@code length} and the constructor's
 *       {@code name} are set to what the generated source would have had.</li>
 *   <li>{@code createFunctionN} ({@code new Function(params…, body)} for each {@code @JSBody}): a lookup in the
 *       precompiled functions of {@code kiln.jsbody.js} ({@link JsBodyModule}), bound as before to
 *       {@code globalThis} and {@code wrapCallFromJavaToJs}; a body missing there throws an Error naming it.</li>
 *   <li>{@code callFunctionN}, {@code callMethodN}, {@code constructN}, {@code arrayOfN} (N = 0…31, built as source
 *       text in a loop): the same functions written out for each N, with fixed arity like the originals.</li>
 * </ul>
 */
final class RuntimePatch {
    /** What must not be left in the patched runtime: a call of Function (with or without new) or of eval. */
    static final Pattern EVALUATION = Pattern.compile("(?<![\\w$])(?:Function|eval)\\s*\\(");
    static final int MAX_ARITY = 32;

    private record Replacement(String what, String old, String replacement) { }

    private RuntimePatch() { }

    /** The runtime text patched to import its @JSBody functions from {@code ./<jsBodyModule>}. */
    static String patch(String runtime, String jsBodyModule) {
        String header = "// src/main/js/wasm-gc-runtime/runtime.ts\n";
        List<Replacement> replacements = List.of(
                new Replacement("the module header", header, header
                        + "// Patched by the Kiln site build (dev.kiln.csp.RuntimePatch) to run under a CSP without"
                        + " 'unsafe-eval':\n// nothing here evaluates a string; the @JSBody functions come precompiled"
                        + " from " + jsBodyModule + ".\nimport { " + JsBodyModule.EXPORT + " } from \"./"
                        + jsBodyModule + "\";\n"),
                new Replacement("getGlobalName/setGlobalName", GLOBAL_NAMES_OLD, GLOBAL_NAMES_NEW),
                new Replacement("defineFunction/renameConstructor", DEFINE_FUNCTION_OLD, DEFINE_FUNCTION_NEW),
                new Replacement("defineMethod", DEFINE_METHOD_OLD, DEFINE_METHOD_NEW),
                new Replacement("the createFunctionN/callFunctionN/callMethodN/constructN/arrayOfN loop",
                        FUNCTION_LOOP_OLD, functionTable()));
        String text = runtime;
        for (Replacement r : replacements) {
            int at = text.indexOf(r.old());
            if (at < 0 || text.indexOf(r.old(), at + 1) >= 0) {
                throw new IllegalStateException("TeaVM's WebAssembly GC runtime changed: the " + r.what() + " block"
                        + " starting \"" + r.old().lines().findFirst().orElse("").strip() + "\" occurs "
                        + (at < 0 ? "nowhere" : "more than once") + " in kiln.wasm-runtime.js, expected once."
                        + " Re-check dev.kiln.csp.RuntimePatch against the new runtime (the site would otherwise"
                        + " need 'unsafe-eval')");
            }
            text = text.substring(0, at) + r.replacement() + text.substring(at + r.old().length());
        }
        var left = EVALUATION.matcher(text);
        if (left.find()) {
            int line = (int) text.substring(0, left.start()).chars().filter(c -> c == '\n').count() + 1;
            throw new IllegalStateException("the patched kiln.wasm-runtime.js still evaluates strings at line " + line
                    + " (\"" + text.lines().skip(line - 1).findFirst().orElse("").strip() + "\"): TeaVM added a"
                    + " use of Function/eval that dev.kiln.csp.RuntimePatch does not replace yet");
        }
        return text;
    }

    /** createFunctionN … arrayOfN for N = 0…31, written out (one line each) instead of built as source text. */
    private static String functionTable() {
        StringBuilder js = new StringBuilder(FUNCTION_LOOKUP);
        for (int n = 0; n < MAX_ARITY; n++) {
            StringBuilder p = new StringBuilder();
            for (int i = 1; i <= n; i++) p.append(i > 1 ? ", " : "").append('p').append(i);
            String args = p.toString(), lead = n == 0 ? "" : ", " + args;
            js.append("  teavmJso.createFunction").append(n).append(" = (").append(args).append(n == 0 ? "" : ", ")
                    .append("body) => precompiledJsBody([").append(args).append("], body);\n");
            js.append("  teavmJso.bindFunction").append(n).append(" = (f, ...bindArgs) => f.bind(null, ...bindArgs);\n");
            js.append("  teavmJso.callFunction").append(n).append(" = (fn").append(lead).append(") => { try { return fn(")
                    .append(args).append("); } catch (e) { rethrowJsAsJava(e); } };\n");
            js.append("  teavmJso.callMethod").append(n).append(" = (instance, method").append(lead)
                    .append(") => { try { return instance !== null ? instance[method](").append(args)
                    .append(") : getGlobalName(method)(").append(args)
                    .append("); } catch (e) { rethrowJsAsJava(e); } };\n");
            js.append("  teavmJso.construct").append(n).append(" = (cls").append(lead).append(") => { try { return new cls(")
                    .append(args).append("); } catch (e) { rethrowJsAsJava(e); } };\n");
            js.append("  teavmJso.arrayOf").append(n).append(" = (").append(args).append(") => [").append(args)
                    .append("];\n");
        }
        return js.toString();
    }

    private static final String FUNCTION_LOOKUP = """
          const teavmJso = imports.teavmJso;
          function precompiledJsBody(params, body) {
            const fn = %s.get(params.join(",") + "\\n" + body);
            if (typeof fn !== "function") {
              throw new Error("no precompiled @JSBody function (" + params.join(", ") + ") { " + body + " } in %s:"
                + " kiln.wasm and it come from different builds; rebuild the site (mvn -pl site install)");
            }
            return fn.bind(globalThis, wrapCallFromJavaToJs);
          }
        """.formatted(JsBodyModule.EXPORT, JsBodyModule.FILE);

    private static final String GLOBAL_NAMES_NEW = """
        function globalPath(name) {
          let path = globalsCache.get(name);
          if (typeof path === "undefined") {
            if (typeof name !== "string" || !/^[A-Za-z_$][\\w$]*(?:\\.[A-Za-z_$][\\w$]*)*$/.test(name)) {
              throw new SyntaxError("not a global name (a dotted path of identifiers): " + name);
            }
            path = name.split(".");
            globalsCache.set(name, path);
          }
          return path;
        }
        function getGlobalName(name) {
          const path = globalPath(name);
          if (!(path[0] in globalThis)) {
            throw new ReferenceError(path[0] + " is not defined");
          }
          let value = globalThis[path[0]];
          for (let i = 1; i < path.length; ++i) {
            value = value[path[i]];
          }
          return value;
        }
        function setGlobalName(name, value) {
          const path = globalPath(name);
          let target = globalThis;
          for (let i = 0; i < path.length - 1; ++i) {
            target = target[path[i]];
          }
          target[path[path.length - 1]] = value;
        }
        """;

    private static final String DEFINE_FUNCTION_NEW = """
          function javaArguments(args, count, vararg) {
            const result = [];
            const fixed = vararg ? count - 1 : count;
            for (let i = 0; i < fixed; ++i) {
              result.push(args[i]);
            }
            if (vararg && count > 0) {
              result.push(args.slice(fixed));
            }
            return result;
          }
          function withLength(fn, length) {
            Object.defineProperty(fn, "length", { value: Math.max(0, length) });
            return fn;
          }
          function defineFunction(fn, vararg) {
            const count = fn.length;
            return withLength(function(...args) {
              try {
                return fn(...javaArguments(args, count, vararg));
              } catch (e) {
                rethrowJavaAsJs(e);
              }
            }, vararg ? count - 1 : count);
          }
          function renameConstructor(name, c) {
            const renamed = function(marker, javaObject) {
              return c.call(this, marker, javaObject);
            };
            Object.defineProperty(renamed, "name", { value: name });
            return renamed;
          }
        """;

    private static final String DEFINE_METHOD_NEW = """
            defineMethod(cls, name, fn, vararg) {
              const count = Math.max(0, fn.length - 1);
              cls.prototype[name] = withLength(function(...args) {
                try {
                  return fn(this, ...javaArguments(args, count, vararg));
                } catch (e) {
                  rethrowJavaAsJs(e);
                }
              }, vararg ? count - 1 : count);
            },
        """;

    // TeaVM 0.16.0's text, verbatim (from kiln.wasm-runtime.js as copy-webassembly-gc-runtime writes it).

    private static final String GLOBAL_NAMES_OLD = """
        function getGlobalName(name) {
          let result = globalsCache.get(name);
          if (typeof result === "undefined") {
            result = new Function("return " + name + ";");
            globalsCache.set(name, result);
          }
          return result();
        }
        function setGlobalName(name, value) {
          new Function("value", name + " = value;")(value);
        }
        """;

    private static final String DEFINE_FUNCTION_OLD = """
          function defineFunction(fn, vararg) {
            const params = [];
            const paramsForString = [];
            for (let i = 0; i < fn.length; ++i) {
              const name = "p" + i;
              params.push(name);
              paramsForString.push(name);
            }
            if (vararg) {
              const last = paramsForString.length - 1;
              paramsForString[last] = "..." + paramsForString[last];
            }
            const paramsAsString = paramsForString.join(", ");
            return new Function(
              "rethrowJavaAsJs",
              "fn",
              `return function(${paramsAsString}) {
            try {
                return fn(${params.join(", ")});
            } catch (e) {
                rethrowJavaAsJs(e);
            }
        };`
            )(rethrowJavaAsJs, fn);
          }
          function renameConstructor(name, c) {
            return new Function(
              "constructor",
              `return function ${name}(marker, javaObject) {
            return constructor.call(this, marker, javaObject);
        }
        `
            )(c);
          }
        """;

    private static final String DEFINE_METHOD_OLD = """
            defineMethod(cls, name, fn, vararg) {
              const params = [];
              const paramsForString = [];
              for (let i = 1; i < fn.length; ++i) {
                const p = "p" + i;
                params.push(p);
                paramsForString.push(p);
              }
              if (vararg) {
                const last = paramsForString.length - 1;
                paramsForString[last] = "..." + paramsForString[last];
              }
              const paramsAsString = paramsForString.join(", ");
              cls.prototype[name] = new Function(
                "rethrowJavaAsJs",
                "fn",
                `return function(${paramsAsString}) {
            try {
                return fn(${["this", ...params].join(", ")});
            } catch (e) {
                rethrowJavaAsJs(e);
            }
        };`
              )(rethrowJavaAsJs, fn);
            },
        """;

    private static final String FUNCTION_LOOP_OLD = """
          const argumentList = [];
          for (let i = 0; i < 32; ++i) {
            const args = argumentList.length === 0 ? "" : argumentList.join(", ");
            const argsAndBody = [...argumentList, "body"].join(", ");
            imports.teavmJso["createFunction" + i] = new Function(
              "wrapCallFromJavaToJs",
              ...argumentList,
              "body",
              `return new Function('wrapCallFromJavaToJs', ${argsAndBody}).bind(this, wrapCallFromJavaToJs);`
            ).bind(null, wrapCallFromJavaToJs);
            imports.teavmJso["bindFunction" + i] = (f, ...bindArgs) => f.bind(null, ...bindArgs);
            imports.teavmJso["callFunction" + i] = new Function(
              "rethrowJsAsJava",
              "fn",
              ...argumentList,
              `try {
            return fn(${args});
        } catch (e) {
            rethrowJsAsJava(e);
        }`
            ).bind(null, rethrowJsAsJava);
            imports.teavmJso["callMethod" + i] = new Function(
              "rethrowJsAsJava",
              "getGlobalName",
              "instance",
              "method",
              ...argumentList,
              `try {
            return instance !== null
                ? instance[method](${args})
                : getGlobalName(method)(${args});
        } catch (e) {
            rethrowJsAsJava(e);
        }`
            ).bind(null, rethrowJsAsJava, getGlobalName);
            imports.teavmJso["construct" + i] = new Function(
              "rethrowJsAsJava",
              "constructor",
              ...argumentList,
              `try {
            return new constructor(${args});
        } catch (e) {
            rethrowJsAsJava(e);
        }`
            ).bind(null, rethrowJsAsJava);
            imports.teavmJso["arrayOf" + i] = new Function(
              ...argumentList,
              "return [" + args + "]"
            );
            argumentList.push("p" + (i + 1));
          }
        """;
}
