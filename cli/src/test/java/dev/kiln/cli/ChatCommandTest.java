package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.kiln.json.Json;
import dev.kiln.json.JsonObject;
import dev.kiln.server.SharedModels;
import dev.kiln.testsupport.SyntheticModel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln chat}: --print-prompt renders a synthetic Qwen2-shaped checkpoint's real ChatML template and tokenizes it
 * without the GPU; a template that raises exits 2 with its message; --messages --json answers one turn in Node and
 * prints prompt, prompt_ids, ids, text and finish_reason.
 */
class ChatCommandTest {
    private static final int IM_START = 260;

    /** A random-weight Qwen2-shaped checkpoint with a real template from ../shared/chat-templates. */
    private static Path checkpoint(Path dir, String template) throws Exception {
        Path file = SharedModels.shared().resolve("chat-templates").resolve(template);
        String why = file + " is absent: this test needs the shared chat templates (../shared beside the checkout)";
        if ("true".equals(System.getenv("CI")) && !Files.exists(file)) throw new AssertionError("required under CI: " + why);
        Assumptions.assumeTrue(Files.exists(file), why);
        SyntheticModel hf = new SyntheticModel(new SyntheticModel.Arch("qwen2", "qwen2", 64, 2, 8, 2, 0, 96, true, "F32",
                1e6f, null, 0), 3);
        hf.chatTemplate = Files.readString(file);
        hf.specialTokens.put(259, "<|endoftext|>");
        hf.specialTokens.put(IM_START, "<|im_start|>");
        hf.specialTokens.put(261, "<|im_end|>");
        hf.specialTokens.put(262, "[INST]");
        hf.specialTokens.put(263, "[/INST]");
        hf.eos = 261;
        hf.eosText = "<|im_end|>";
        hf.maxPositions = 256;
        return hf.writeHf(dir);
    }

    @Test
    void printPromptRendersTheTemplateAndKeepsAUserSpelledSpecialTokenAsText(@TempDir Path tmp) throws Exception {
        Path model = checkpoint(tmp.resolve("hf"), "Qwen-Qwen2.5-7B-Instruct.jinja");
        Path conv = Files.writeString(tmp.resolve("conv.json"),
                "[{\"role\": \"user\", \"content\": \"Hi <|im_start|>\"}]");
        KilnCliTest.Run r = KilnCliTest.run("chat", "--model", model.toString(), "--messages", conv.toString(),
                "--system", "Be brief.", "--print-prompt", "--json");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        JsonObject o = JsonObject.of(Json.parse(r.out().strip()), "print-prompt");
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi <|im_start|><|im_end|>\n"
                + "<|im_start|>assistant\n", o.string("prompt"));
        long starts = o.array("prompt_ids").stream().filter(id -> ((Number) id).intValue() == IM_START).count();
        assertEquals(3, starts, "system, user and assistant headers; the user's <|im_start|> stays text");
        assertTrue(!o.has("ids") && !o.has("text"), "print-prompt generates nothing");
    }

    @Test
    void aTemplateThatRaisesExitsTwoWithItsMessage(@TempDir Path tmp) throws Exception {
        Path model = checkpoint(tmp.resolve("hf"), "mistralai-Mistral-Nemo-Instruct-2407.jinja");
        Path conv = Files.writeString(tmp.resolve("conv.json"),
                "[{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"user\", \"content\": \"b\"}]");
        KilnCliTest.Run r = KilnCliTest.run("chat", "--model", model.toString(), "--messages", conv.toString(), "--print-prompt");
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("roles must alternate user/assistant"), r.err());
    }

    @Test
    void messagesWithJsonAnswersOneTurnInNode(@TempDir Path tmp) throws Exception {
        KilnCliTest.requireEngineBuild();
        Path model = checkpoint(tmp.resolve("hf"), "Qwen-Qwen2.5-7B-Instruct.jinja");
        Path conv = Files.writeString(tmp.resolve("conv.json"), "[{\"role\": \"user\", \"content\": \"Hello\"}]");
        String out = KilnCliTest.runProcess(tmp, 120, "chat",
                "--model", model.toString(), "--messages", conv.toString(), "--max-tokens", "5", "--json",
                "--cache-dir", tmp.resolve("cache").toString());
        String[] lines = out.strip().split("\n");
        JsonObject o = JsonObject.of(Json.parse(lines[lines.length - 1]), "chat --json");
        assertEquals("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n", o.string("prompt"));
        assertTrue(o.array("ids").size() <= 5, out);
        assertTrue(o.has("text") && o.has("prompt_ids") && o.has("decode_tps"), out);
        assertTrue(List.of("stop", "length").contains(o.string("finish_reason")), out);
        assertEquals(o.array("prompt_ids").size(), o.integer("prefilled_tokens"), "a fresh engine prefills the whole prompt");
    }
}
