package dev.kiln.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.kiln.chat.ChatInputs;
import dev.kiln.chat.ChatTemplate;
import dev.kiln.chat.RenderedPrompt;
import dev.kiln.chat.TemplateException;
import dev.kiln.chat.WallTime;
import dev.kiln.generate.GenerationRequest;
import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import dev.kiln.packager.ModelSource;
import dev.kiln.packager.Packager;
import dev.kiln.packager.hub.Hub;
import dev.kiln.tokenizer.Tokenizer;
import dev.kiln.tokenizer.Vocabulary;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kiln chat}: a conversation with a chat model in the terminal, on the compiled engine in Node with Dawn
 * ({@code node/chat.mjs}: one engine, so each turn prefills only its new tokens). Interactive by default; with
 * {@code --messages} one assistant turn for an OpenAI-style message list; with {@code --print-prompt} only the rendered
 * template and its token ids (no GPU, no weights read).
 */
@Command(name = "chat", mixinStandardHelpOptions = true, version = "kiln chat 0.1.0",
        header = "Chat with a model in the terminal (Node runtime), or render its chat template.",
        description = {"Interactive: type a message, Enter sends; /reset starts over (keeping --system), /exit quits.",
                "--messages FILE runs one assistant turn for an OpenAI-style list ([{\"role\", \"content\"}, …]); with --json"
                        + " the last stdout line is one JSON object: prompt, prompt_ids, ids, text, finish_reason and timings.",
                "--print-prompt renders and tokenizes only: the same JSON without ids and text. A template that raises exits 2."})
public final class ChatCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--system", paramLabel = "<text>", description = "the system message")
    String system;

    @Option(names = "--messages", paramLabel = "<file>", description = "an OpenAI-style message list (JSON) to answer once")
    Path messagesFile;

    @Option(names = "--print-prompt", description = "print the rendered template and its token ids, generate nothing")
    boolean printPrompt;

    @Option(names = "--json", description = "print the result as one JSON object on the last line of stdout")
    boolean json;

    @Mixin
    GenerationOptions generation = new GenerationOptions();

    @Mixin
    EngineOptions engine = new EngineOptions();

    @Option(names = "--verbose", description = "print stack traces of failures")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        model.check(spec);
        List<GenerationRequest.Message> messages = new ArrayList<>();
        if (system != null) messages.add(new GenerationRequest.Message("system", system));
        if (messagesFile != null) messages.addAll(readMessages(messagesFile));
        if (printPrompt) return printPrompt(messages);
        if (messagesFile == null && json) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--json needs --messages (one turn to answer)");
        }
        try (LocalModelServer server = LocalModelServer.start(model.model, model.cacheDir, model.hubUrl);
             Session s = Session.start(server.manifestUrl(), engine.precision)) {
            if (!s.info.bool("chat", false)) {
                throw new CommandFailure(ExitCodes.BAD_INPUT, "'" + s.info.string("name", "this model") + "' has no chat template"
                        + " (a base model): use kiln generate --prompt for plain completion");
            }
            return messagesFile != null ? once(s, messages) : interactive(s, messages);
        } catch (LocalModelServer.InputFailed e) {
            throw new CommandFailure(ExitCodes.BAD_INPUT, e.getMessage());
        }
    }

    /** One assistant turn; the text streams unless --json. */
    private int once(Session s, List<GenerationRequest.Message> messages) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        JsonObject r = s.send(generation.chat(messages), json ? null : NodeRuntime.to(out));
        if (json) {
            JsonObject kiln = r.object("kiln"), usage = r.object("usage");
            JsonObject choice = JsonObject.of(r.array("choices").get(0), "choice");
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("prompt", kiln.string("prompt"));
            o.put("prompt_ids", kiln.array("prompt_ids"));
            o.put("ids", kiln.array("ids"));
            o.put("text", choice.object("message").string("content"));
            o.put("finish_reason", choice.string("finish_reason"));
            o.put("prefilled_tokens", usage.number("prefilled_tokens"));
            o.put("time_to_first_token_ms", usage.number("time_to_first_token_ms"));
            o.put("prefill_tps", usage.number("prefill_tps"));
            o.put("decode_tps", usage.number("decode_tps"));
            o.put("precision", kiln.string("precision"));
            out.println(Json.write(o));
        } else {
            out.println();
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** The terminal conversation: each line a user turn, answered with the text streaming. */
    private int interactive(Session s, List<GenerationRequest.Message> messages) throws IOException {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        List<GenerationRequest.Message> start = List.copyOf(messages);
        err.println("chat with " + s.info.string("name", "the model") + " — /reset starts over, /exit quits");
        while (true) {
            err.print("> ");
            err.flush();
            String line = in.readLine();
            if (line == null || line.strip().equals("/exit")) return ExitCodes.OK;
            if (line.strip().equals("/reset")) {
                messages = new ArrayList<>(start);
                err.println("(a new conversation)");
                continue;
            }
            if (line.isBlank()) continue;
            messages.add(new GenerationRequest.Message("user", line));
            try {
                JsonObject r = s.send(generation.chat(messages), NodeRuntime.to(out));
                out.println();
                out.flush();
                JsonObject choice = JsonObject.of(r.array("choices").get(0), "choice");
                messages.add(new GenerationRequest.Message("assistant", choice.object("message").string("content")));
                int dropped = r.object("kiln").integer("dropped_messages", 0);
                if (dropped > 0) err.println("(the conversation outgrew the context: its oldest " + dropped + " messages were left out)");
            } catch (CommandFailure e) {
                messages.remove(messages.size() - 1);
                err.println("kiln chat: " + e.getMessage());
            }
        }
    }

    /** --print-prompt: render and tokenize with the model's template, from its tokenizer alone. */
    private int printPrompt(List<GenerationRequest.Message> messages) throws IOException {
        Vocabulary v = vocabulary();
        if (v.chatTemplate().isEmpty()) {
            throw new CommandFailure(ExitCodes.BAD_INPUT, "this model has no chat template (a base model): nothing to render");
        }
        List<Map<String, Object>> list = GenerationRequest.Message.asMaps(messages);
        java.time.LocalDateTime t = java.time.LocalDateTime.now();
        RenderedPrompt p;
        try {
            p = ChatTemplate.parse(v.chatTemplate()).render(ChatInputs.of(list, v.specialTokens())
                    .at(new WallTime(t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond())));
        } catch (TemplateException e) {
            throw new CommandFailure(ExitCodes.USAGE, "the chat template refused these messages: " + e.getMessage());
        }
        int[] ids = p.tokens(Tokenizer.of(v, s -> java.text.Normalizer.normalize(s, java.text.Normalizer.Form.NFC)));
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("prompt", p.text());
        List<Object> idList = new ArrayList<>();
        for (int id : ids) idList.add(id);
        o.put("prompt_ids", idList);
        PrintWriter out = spec.commandLine().getOut();
        if (json) out.println(Json.write(o));
        else out.print(p.text() + "\n" + idList + "\n");
        out.flush();
        return ExitCodes.OK;
    }

    /** The model's vocabulary without reading its weights: a packaged folder's tokenizer file, or the input's own. */
    private Vocabulary vocabulary() throws IOException {
        Path input = Hub.resolve(model.model, model.hubUrl, new ProgressBar(spec.commandLine().getErr(), System.console() != null, "download")::update);
        Path manifest = input.resolve("manifest.json");
        if (Files.isDirectory(input) && Files.isRegularFile(manifest)) {
            var m = dev.kiln.model.Manifest.fromJson(Files.readString(manifest));
            return Vocabulary.fromJson(Files.readString(input.resolve(m.tokenizer())));
        }
        try (ModelSource src = Packager.open(input)) {
            return src.vocabulary();
        }
    }

    private static List<GenerationRequest.Message> readMessages(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new CommandFailure(ExitCodes.USAGE, "--messages: " + file + " is not a file");
        String text = Files.readString(file, StandardCharsets.UTF_8).strip();
        String wrapped = text.startsWith("[") ? "{\"messages\":" + text + "}" : text;
        try {
            return GenerationRequest.fromJson(wrapped).messages();
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(ExitCodes.BAD_INPUT, "--messages " + file + ": " + e.getMessage());
        }
    }

    /** node/chat.mjs with the model loaded: requests in as JSON lines, chunks and results out. */
    static final class Session implements AutoCloseable {
        final Process process;
        final BufferedReader out;
        final OutputStream in;
        final JsonObject info;

        private Session(Process p, BufferedReader out, JsonObject info) {
            this.process = p;
            this.out = out;
            this.in = p.getOutputStream();
            this.info = info;
        }

        static Session start(String manifestUrl, EngineOptions.Precision precision) throws IOException {
            Path script = Installation.requireNode("chat").resolveSibling("chat.mjs");
            ProcessBuilder pb = new ProcessBuilder("node", script.toString(), "--manifest", manifestUrl, "--precision",
                    precision.name()).redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().putIfAbsent("VK_ICD_FILENAMES", "/usr/share/vulkan/icd.d/lvp_icd.json");
            Process p = pb.start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            if (first == null) {
                int code;
                try {
                    code = p.waitFor();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                throw new CommandFailure(code == ExitCodes.BAD_INPUT ? code : ExitCodes.BUG,
                        "the engine failed to load the model in Node (exit " + code + "; its error is above)");
            }
            return new Session(p, out, JsonObject.of(Json.parse(first), "ready").object("info"));
        }

        /** Sends one request; streams the reply's text to {@code text} (or not, when null); returns the result. */
        JsonObject send(GenerationRequest r, java.util.function.Consumer<String> text) throws IOException {
            in.write((r.toJson() + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                JsonObject o = JsonObject.of(Json.parse(line), "chat");
                switch (o.string("type")) {
                    case "chunk" -> {
                        if (text == null) continue;
                        JsonObject choice = JsonObject.of(o.object("chunk").array("choices").get(0), "chunk");
                        JsonObject delta = choice.has("delta") ? choice.object("delta") : null;
                        String piece = delta != null ? delta.string("content", "") : choice.string("text", "");
                        text.accept(piece);
                    }
                    case "result" -> { return o.object("result"); }
                    case "error" -> throw new CommandFailure(o.string("kind", "").equals("input") ? ExitCodes.BAD_INPUT : ExitCodes.BUG,
                            o.string("message", "the engine failed"));
                    default -> { }
                }
            }
            throw new CommandFailure(ExitCodes.BUG, "the engine stopped answering (node/chat.mjs ended; its error is above)");
        }

        @Override
        public void close() {
            try {
                in.close();
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
            } catch (IOException | InterruptedException e) {
                process.destroyForcibly();
            }
        }
    }
}
