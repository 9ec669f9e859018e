package dev.kiln.e2e;

import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import dev.kiln.server.ServedModel;
import dev.kiln.tokenizer.ByteLevelBpe;
import dev.kiln.tokenizer.Tokenizer;
import dev.kiln.tokenizer.Vocabulary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The page as a chat, in headless Chromium (SwiftShader) against the real backend, with a tiny random-weight
 * Qwen2-shaped model that carries Qwen2.5's real chat template ({@link ChatModel}). The tests run in order on one
 * browser and one conversation: three turns, Regenerate, Stop, Edit with an XSS payload, reload, delete, and last the
 * browser's own network log, read after it quits.
 *
 * <p>The expected prompt of each turn is Python jinja2's rendering of the template (src/test/resources/chat:
 * render_expected.py → qwen25-expected.json; the answers, which a random model makes up, are placeholders filled in
 * with the answers the page got), tokenized here by the model's own packaged tokenizer with special tokens parsed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChatPageTest {
    static final String TEMPLATE = "Qwen-Qwen2.5-7B-Instruct.jinja";

    static Site site;
    static Chromium chromium;
    static Path dir;
    static Path netLog;
    static String manifest;
    static ByteLevelBpe tokenizer;
    static JsonObject expected;
    /** The answers of turns 1–3 (as the page holds them after turn 3 and Regenerate). */
    static final List<String> answers = new ArrayList<>();
    static final List<JsonObject> results = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Path templates = Site.sharedModels().getParent().resolve("chat-templates");
        dir = Files.createTempDirectory("kiln-chat-model");
        Path model = ChatModel.write(dir.resolve("qwen-chat-tiny"), Files.readString(templates.resolve(TEMPLATE)), 20261207L);
        expected = JsonObject.of(Json.parse(new String(ChatPageTest.class.getResourceAsStream("/chat/qwen25-expected.json")
                .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)), "qwen25-expected.json");
        site = new Site(List.of(model));
        ServedModel served = site.model(model);
        manifest = served.manifestUrl();
        Vocabulary v = Vocabulary.fromJson(Files.readString(served.dir().resolve(served.manifest().tokenizer())));
        tokenizer = (ByteLevelBpe) Tokenizer.of(v);
        netLog = dir.resolve("netlog.json");
        chromium = new Chromium(List.of("--enable-unsafe-webgpu", "--log-net-log=" + netLog));
    }

    @AfterAll
    static void stop() throws Exception {
        if (chromium != null) chromium.close();
        if (site != null) site.close();
        if (dir != null) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    @Order(1)
    void threeTurnsSeeTheTemplatesPromptAndPrefillOnlyTheirNewTokens() throws Exception {
        chromium.driver.get(site.url("/"));
        loadModel();
        assertEquals("chat", chromium.js("return document.getElementById('chat').dataset.mode;"),
                "the model has a chat template, so the page is a chat (the engine's info() must say \"chat\": true)");
        chromium.js("document.getElementById('system-prompt').value = arguments[0];"
                + "document.getElementById('max-tokens').value = 6;", expected.string("system"));

        List<Object> users = expected.array("users");
        // turn 1: typed and sent with the button
        chromium.js("document.getElementById('prompt').value = arguments[0];", users.get(0));
        awaitAnswer(() -> chromium.driver.findElement(By.id("generate")).click());
        // turn 2: Enter sends
        WebElement prompt = chromium.driver.findElement(By.id("prompt"));
        awaitAnswer(() -> prompt.sendKeys((String) users.get(1), Keys.ENTER));
        // turn 3: Shift+Enter is a new line inside the message, Enter sends
        String[] lines = ((String) users.get(2)).split("\n");
        prompt.sendKeys(lines[0], Keys.chord(Keys.SHIFT, Keys.ENTER));
        assertEquals(lines[0] + "\n", chromium.js("return document.getElementById('prompt').value;"), "Shift+Enter sent the message");
        awaitAnswer(() -> prompt.sendKeys(lines[1], Keys.ENTER));

        for (int turn = 0; turn < 3; turn++) {
            JsonObject r = lastAnswerResult(turn);
            results.add(r);
            answers.add(r.string("content"));
        }
        for (int turn = 0; turn < 3; turn++) {
            JsonObject r = results.get(turn), kiln = r.object("kiln"), usage = r.object("usage");
            String prompt0 = expectedPrompt(turn);
            assertEquals(prompt0, kiln.string("prompt"), "turn " + (turn + 1) + ": the rendered template");
            List<Integer> ids = ints(kiln.array("prompt_ids"));
            assertEquals(encode(prompt0), ids, "turn " + (turn + 1) + ": the prompt ids");
            assertEquals(ids.size(), usage.integer("prompt_tokens"));
            assertEquals(6, usage.integer("completion_tokens"), "the model never ends early (ChatModel)");
            if (turn > 0) {
                // the cache holds the last prompt and all but the last answer token: at most one token more than new
                JsonObject prev = results.get(turn - 1);
                int fresh = ids.size() - prev.object("usage").integer("prompt_tokens") - prev.object("usage").integer("completion_tokens");
                int prefilled = usage.integer("prefilled_tokens");
                assertTrue(prefilled >= fresh && prefilled <= fresh + 1, "turn " + (turn + 1) + " prefilled " + prefilled
                        + " of " + ids.size() + " prompt tokens; new since the last turn: " + fresh);
            }
        }
        assertEquals(6, count("#messages .msg"), "three user messages and three answers");
    }

    @Test
    @Order(2)
    void regenerateReplacesTheLastAnswerFromTheSamePrompt() throws Exception {
        List<Integer> before = ints(results.get(2).object("kiln").array("prompt_ids"));
        awaitAnswer(() -> chromium.js("[...document.querySelectorAll('#messages .msg')].pop().querySelector('.regenerate').click();"));
        assertEquals("done", state(), () -> statusText());
        assertEquals(6, count("#messages .msg"), "the answer was replaced, not added");
        JsonObject r = lastAnswerResult(2);
        assertEquals(before, ints(r.object("kiln").array("prompt_ids")), "the same prompt");
        assertTrue(r.object("usage").integer("prefilled_tokens") <= 1, "the whole prompt was in the cache: "
                + Json.write(r.object("usage").map()));
        results.set(2, r);
        answers.set(2, r.string("content"));
    }

    @Test
    @Order(3)
    void stopEndsAnAnswerEarlyAndThePageSaysStoppedNotDone() throws Exception {
        chromium.js("document.getElementById('max-tokens').value = 400;"
                + "document.getElementById('prompt').value = 'Go on.';"
                + "document.getElementById('status').dataset.state = 'test-wait';"
                + "document.getElementById('generate').click();");
        awaitStreaming(8);
        chromium.driver.findElement(By.id("stop")).click();
        chromium.waitFor("['done', 'stopped', 'error'].includes(document.getElementById('status').dataset.state)", Duration.ofMinutes(2));
        assertEquals("stopped", state(), () -> statusText());
        assertEquals("Stopped.", statusText());
        JsonObject r = lastAnswerResult(3);
        assertEquals("abort", r.string("finish_reason"));
        assertTrue(r.object("usage").integer("completion_tokens") < 400, "stopped early");
        assertEquals("abort", chromium.js("return [...document.querySelectorAll('#messages .msg')].pop().dataset.finish;"));
        chromium.js("document.getElementById('max-tokens').value = 6;");
    }

    @Test
    @Order(4)
    void editTheLastMessageAndMarkupInItShowsAsCharacters() throws Exception {
        chromium.js("[...document.querySelectorAll('#messages .msg[data-role=user]')].pop().querySelector('.edit').click();");
        assertEquals("Go on.", chromium.js("return document.getElementById('prompt').value;"), "Edit puts the message back");
        chromium.waitFor("document.querySelectorAll('#messages .msg').length === 6", Duration.ofSeconds(10)); // it and its answer left
        String payload = "<img src=x onerror=\"window.kilnXss = 1\"> **not bold?** `<b>code</b>`";
        chromium.js("document.getElementById('prompt').value = arguments[0];", payload);
        awaitAnswer(() -> chromium.driver.findElement(By.id("generate")).click());
        assertEquals(payload, chromium.js(
                "return [...document.querySelectorAll('#messages .msg[data-role=user]')].pop().querySelector('.content').textContent;"));
        assertEquals(0L, count("#messages img, #messages b, #messages script"), "markup from a message became elements");
        assertEquals(null, chromium.js("return window.kilnXss ?? null;"));
    }

    @Test
    @Order(5)
    void assistantMarkdownIsBuiltFromTextNodesOnly() throws Exception {
        String markdown = "Hi <img src=x onerror=alert(1)>\n\n- one `<script>x()</script>`\n- **two**\n\n```js\n<b>code</b>\n```";
        Object r = ((JavascriptExecutor) chromium.driver).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import('./markdown.js').then((m) => {
                  const div = document.createElement('div');
                  div.append(m.renderMarkdown(arguments[0]));
                  done({ text: div.textContent, tags: [...div.querySelectorAll('*')].map((e) => e.tagName.toLowerCase()).join(' ') });
                }, (e) => done({ error: String(e) }));
                """, markdown);
        @SuppressWarnings("unchecked") var m = (java.util.Map<String, Object>) r;
        assertEquals("p ul li code li strong pre code", m.get("tags"), () -> "elements: " + m);
        String text = (String) m.get("text");
        assertTrue(text.contains("<img src=x onerror=alert(1)>") && text.contains("<script>x()</script>")
                && text.contains("<b>code</b>"), text);
    }

    @Test
    @Order(6)
    void aReloadRestoresTheConversation() throws Exception {
        String before = conversationText();
        chromium.driver.navigate().refresh();
        chromium.waitFor("document.querySelectorAll('#messages .msg').length === 8", Duration.ofMinutes(1));
        assertEquals(before, conversationText());
        for (int turn = 0; turn < 3; turn++) {
            assertEquals(answers.get(turn), chromium.js("return document.querySelectorAll('#messages .msg[data-role=assistant]')[arguments[0]]"
                    + ".querySelector('.content').textContent;", turn), "answer " + (turn + 1));
        }
        assertEquals(1L, count("#conversations li"));
    }

    @Test
    @Order(7)
    void theChatIsUsableAt375PixelsWide() throws Exception {
        chromium.driver.manage().window().setSize(new Dimension(375, 800));
        assertTrue((Boolean) chromium.js("return document.documentElement.scrollWidth <= window.innerWidth;"),
                () -> "the page scrolls sideways: " + chromium.js("return document.documentElement.scrollWidth + ' > ' + window.innerWidth;"));
        assertTrue((Boolean) chromium.js("const r = document.getElementById('generate').getBoundingClientRect();"
                + " return r.width > 0 && r.right <= window.innerWidth;"), "Send is on screen");
    }

    @Test
    @Order(8)
    void conversationsCanBeDeletedOneOrAll() throws Exception {
        loadModel(); // the reload before left no engine
        chromium.js("document.getElementById('new-chat').click();");
        chromium.waitFor("document.querySelectorAll('#messages .msg').length === 0", Duration.ofSeconds(10));
        chromium.js("document.getElementById('prompt').value = 'Second chat';");
        awaitAnswer(() -> chromium.driver.findElement(By.id("generate")).click());
        chromium.waitFor("document.querySelectorAll('#conversations li').length === 2", Duration.ofSeconds(10));
        chromium.js("document.querySelector('#conversations li[aria-current=true] .delete').click();");
        chromium.waitFor("document.querySelectorAll('#conversations li').length === 1", Duration.ofSeconds(10));
        assertEquals(0L, count("#messages .msg"), "the open conversation was the one deleted");
        chromium.js("document.getElementById('delete-all').click(); document.getElementById('delete-all').click();");
        chromium.waitFor("document.querySelectorAll('#conversations li').length === 0", Duration.ofSeconds(10));
        chromium.driver.navigate().refresh();
        chromium.waitFor("document.getElementById('kernel').dataset.state !== 'pending'", Duration.ofMinutes(1));
        assertEquals(0L, count("#conversations li, #messages .msg"), "nothing comes back after a reload");
    }

    /**
     * Last: the browser's own network log, complete once it quits. It holds every request of the page and its Worker
     * (initiator: the page's origin) beside Chromium's own background and autofill requests (initiator: none, "not
     * an origin"): each request the page or its Worker started must go to the page's origin.
     */
    @Test
    @Order(9)
    void loadingAModelDuringAnAnswerStopsTheAnswerFirst() throws Exception {
        loadModel(); // the reload before left no engine
        long before = count("#messages .msg");
        chromium.js("document.getElementById('max-tokens').value = 400;"
                + "document.getElementById('prompt').value = 'Tell me a long story.';"
                + "document.getElementById('generate').click();");
        awaitStreaming(before + 2);
        chromium.js("document.getElementById('load').click();");
        chromium.waitFor("['ready', 'error'].includes(document.getElementById('status').dataset.state)", Duration.ofMinutes(2));
        assertEquals("ready", state(), () -> statusText());
        assertEquals("abort", chromium.js("return [...document.querySelectorAll('#messages .msg')].pop().dataset.finish;"),
                "the answer under way was stopped and kept");
        assertEquals(Boolean.FALSE, chromium.js("return document.getElementById('generate').disabled;"), "the new engine takes messages");
        chromium.js("document.getElementById('max-tokens').value = 6;");
    }

    @Test
    @Order(10)
    void everyRequestStaysOnThePagesOrigin() throws Exception {
        chromium.close();
        chromium = null;
        String origin = site.url("");
        Pattern initiator = Pattern.compile("\"initiator\":\"([^\"]*)\"");
        Pattern url = Pattern.compile("\"url\":\"([^\"]*)\"");
        List<String> pageRequests = new ArrayList<>();
        for (String line : Files.readAllLines(netLog)) {
            Matcher i = initiator.matcher(line), u = url.matcher(line);
            if (i.find() && i.group(1).equals(origin) && u.find()) pageRequests.add(u.group(1));
        }
        assertTrue(pageRequests.stream().anyMatch(u -> u.contains("/models/") && u.endsWith(".bin")),
                "the log holds the Worker's shard downloads: " + pageRequests);
        assertTrue(pageRequests.stream().anyMatch(u -> u.endsWith("/api/models")), "and the page's own: " + pageRequests);
        List<String> foreign = pageRequests.stream().filter(u -> !u.startsWith(origin + "/")).toList();
        assertTrue(foreign.isEmpty(), "requests off the page's origin " + origin + ": " + foreign);
    }

    // ---- helpers ----

    private static void loadModel() throws InterruptedException {
        chromium.waitFor("document.querySelector('#model option[value=\"" + manifest + "\"]')", Duration.ofMinutes(1));
        chromium.js("document.getElementById('model').value = arguments[0]; document.getElementById('load').click();", manifest);
        chromium.waitFor("['ready', 'error'].includes(document.getElementById('status').dataset.state)", Duration.ofMinutes(2));
        assertEquals("ready", state(), () -> "load failed: " + statusText());
    }

    /** Runs an action that sends a message and waits for its answer to finish. */
    private static void awaitAnswer(ThrowingRunnable action) throws Exception {
        chromium.js("document.getElementById('status').dataset.state = 'test-wait';");
        action.run();
        chromium.waitFor("['done', 'stopped', 'error'].includes(document.getElementById('status').dataset.state)", Duration.ofMinutes(3));
        assertEquals("done", state(), () -> "the answer failed: " + statusText());
    }

    /** Waits until the conversation has {@code messages} items, the last an answer with some text streamed. */
    private static void awaitStreaming(long messages) throws InterruptedException {
        chromium.waitFor("(() => { const all = document.querySelectorAll('#messages .msg'), a = all[all.length - 1];"
                + " return all.length === " + messages + " && a.dataset.role === 'assistant'"
                + " && a.querySelector('.content').textContent.length >= 3; })()", Duration.ofMinutes(2));
    }

    interface ThrowingRunnable { void run() throws Exception; }

    private static JsonObject lastAnswerResult(int turn) {
        String json = (String) chromium.js("return document.querySelectorAll('#messages .msg[data-role=assistant]')[arguments[0]].dataset.result;", turn);
        assertTrue(json != null, "answer " + (turn + 1) + " has no result");
        return JsonObject.of(Json.parse(json), "answer " + (turn + 1));
    }

    private static String expectedPrompt(int turn) {
        String p = JsonObject.of(expected.array("turns").get(turn), "turn").string("prompt");
        for (int i = 0; i < turn; i++) p = p.replace("@@ASSISTANT_" + (i + 1) + "@@", answers.get(i));
        return p;
    }

    private static List<Integer> encode(String text) {
        List<Integer> out = new ArrayList<>();
        for (int id : tokenizer.encode(text, false, true)) out.add(id);
        return out;
    }

    private static String conversationText() {
        return (String) chromium.js("return [...document.querySelectorAll('#messages .msg')]"
                + ".map((m) => m.dataset.role + ': ' + m.querySelector('.content').textContent).join('\\n---\\n');");
    }

    private static String state() { return (String) chromium.js("return document.getElementById('status').dataset.state;"); }

    private static String statusText() { return (String) chromium.js("return document.getElementById('status').textContent;"); }

    private static long count(String selector) {
        return (Long) chromium.js("return document.querySelectorAll(arguments[0]).length;", selector);
    }

    static List<Integer> ints(List<Object> xs) {
        List<Integer> out = new ArrayList<>();
        for (Object x : xs) out.add(((Number) x).intValue());
        return out;
    }
}
