package dev.kiln.cli;

import dev.kiln.generate.GenerationRequest;
import dev.kiln.server.SharedModels;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generation options build the one request; their defaults are the engine's. */
class GenerationOptionsTest {

    @Test
    void theCliDefaultsAreTheEnginesDefaults() {
        GenerateCommand generate = new GenerateCommand();
        new CommandLine(generate).parseArgs("--model", "m.gguf", "--prompt", "x");
        // What the engine makes of a request that leaves every option out.
        GenerationRequest engines = GenerationRequest.fromJson("{\"prompt\": \"x\"}");
        assertEquals(engines, generate.generation.request("x"));
        assertTrue(engines.greedy(), "greedy unless asked otherwise");
        assertEquals(EngineOptions.Precision.auto, generate.engine.precision);
    }

    @Test
    void everyOptionReachesTheRequest() {
        GenerateCommand generate = new GenerateCommand();
        new CommandLine(generate).parseArgs("--model", "m.gguf", "--prompt", "x", "--max-tokens", "7", "--temperature",
                "0.8", "--top-k", "5", "--top-p", "0.5", "--seed", "42", "--ignore-eos");
        assertEquals(GenerationRequest.of("x").withMaxTokens(7).withTemperature(0.8f).withTopK(5).withTopP(0.5f)
                .withSeed(42).withIgnoreEos(true), generate.generation.request("x"));
    }

    @Test
    void helpShowsTheSchemasDefaults() {
        String help = new CommandLine(new GenerateCommand()).getUsageMessage();
        assertTrue(help.contains("tokens to generate at most (default: " + GenerationRequest.DEFAULT_MAX_TOKENS + ")"), help);
        assertTrue(help.contains("0 = greedy (default: 0.0)"), help);
        assertTrue(help.contains("1 = off (default: 0.95)"), help);
    }

    @Test
    void anOutOfRangeOptionIsBadInputNamingTheOption() {
        String model = SharedModels.stories260K().toString();
        KilnCliTest.Run r = KilnCliTest.run("generate", "--model", model, "--prompt", "x", "--top-p", "1.5");
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().contains("kiln generate: error: --top-p: top_p must be in (0, 1]"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        KilnCliTest.Run tokens = KilnCliTest.run("generate", "--model", model, "--prompt", "x", "--max-tokens", "0");
        assertEquals(ExitCodes.BAD_INPUT, tokens.code(), tokens.err());
        assertTrue(tokens.err().contains("--max-tokens"), tokens.err());
    }

    @Test
    void anUnknownPrecisionIsAUsageError() {
        KilnCliTest.Run r = KilnCliTest.run("generate", "--model", "m.gguf", "--prompt", "x", "--precision", "f8");
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--precision"), r.err());
    }
}
